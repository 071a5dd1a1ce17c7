"""Two members in two real browsers: one posts through the plain form, the other sees
the comment appear without reloading (the embedded profile: one ASGI process,
in-memory channel layer)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import CHROMIUM_ARGS, screenshot, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e


def _open_thread(base: str) -> int:
    with httpx.Client(base_url=base, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": "anna", "password": "demo-pass-2026"},
        ).json()
        headers = {"Authorization": f"Token {token['token']}"}
        units = client.get("/api/v1/units/").json()["results"]
        branch = next(u for u in units if u["code"] == "sodermalm")
        resp = client.post(
            "/api/v1/threads/",
            headers=headers,
            json={"title": "Browser thread", "unit": branch["id"]},
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]


def test_comment_appears_live_in_the_other_browser(embedded_server, browser):
    base = embedded_server["url"]
    thread_id = _open_thread(base)
    contexts = [
        browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        for _ in range(2)
    ]
    try:
        writer, reader = (ctx.new_page() for ctx in contexts)
        fragments: list[str] = []
        reader.on(
            "request",
            lambda r: fragments.append(r.url) if "/fragment/" in r.url else None,
        )
        errors: list[str] = []
        for pg in (writer, reader):
            pg.on(
                "console",
                lambda m: errors.append(m.text) if m.type == "error" else None,
            )
        sign_in(writer, base, "anna")
        sign_in(reader, base, "bo")
        reader.goto(f"{base}/threads/{thread_id}/")
        writer.goto(f"{base}/threads/{thread_id}/")
        # both are connected: presence shows two members
        expect(reader.locator("[data-presence-count]")).to_have_text(
            "2", timeout=10_000
        )
        reader.evaluate("window.__notReloaded = true")

        writer.get_by_label("Your comment").fill("Live from **Anna**")
        writer.get_by_label("Your stance").select_option("for")
        writer.get_by_role("button", name="Post comment").click()
        writer.wait_for_load_state()
        expect(writer.locator(".comment-body").last).to_contain_text("Live from Anna")

        comment = reader.locator(".comment").filter(has_text="Live from Anna")
        expect(comment).to_be_visible(timeout=10_000)
        expect(comment.locator(".comment-body strong")).to_have_text("Anna")
        expect(comment.locator(".stance-badge")).to_have_text("For")
        assert reader.evaluate("window.__notReloaded") is True  # no reload happened
        assert fragments == []  # built from the page's template, no request per viewer

        # a reaction by the reader updates the writer's count live
        writer_count = (
            writer.locator(".comment")
            .filter(has_text="Live from Anna")
            .locator("[data-reaction-count$=':agree']")
        )
        expect(writer_count).to_have_text("0")
        comment.get_by_role("button", name="Agree").click()
        expect(writer_count).to_have_text("1", timeout=10_000)
        expect(comment.get_by_role("button", name="Agree")).to_have_attribute(
            "aria-pressed", "true"
        )
        assert reader.evaluate("window.__notReloaded") is True  # sent with fetch
        screenshot(reader, "thread-live")
        assert errors == []
    finally:
        for ctx in contexts:
            ctx.close()


def test_edit_and_hiding_update_live(embedded_server, browser):
    base = embedded_server["url"]
    thread_id = _open_thread(base)
    with httpx.Client(base_url=base, timeout=10) as client:

        def token(user):
            return client.post(
                "/api/v1/auth/token/",
                json={"username": user, "password": "demo-pass-2026"},
            ).json()["token"]

        anna = {"Authorization": f"Token {token('anna')}"}
        cecilia = {"Authorization": f"Token {token('cecilia')}"}
        first = client.post(
            f"/api/v1/threads/{thread_id}/comments/",
            headers=anna,
            json={"body": "Original text", "stance": "for"},
        ).json()
        second = client.post(
            f"/api/v1/threads/{thread_id}/comments/",
            headers=anna,
            json={"body": "Rude text", "stance": "against"},
        ).json()
        context = browser.new_context(locale="en-GB")
        try:
            reader = context.new_page()
            sign_in(reader, base, "bo")
            reader.goto(f"{base}/threads/{thread_id}/")
            expect(reader.locator(f"#c-{second['id']}")).to_contain_text("Rude text")
            expect(reader.locator("[data-thread-live]")).to_have_attribute(
                "data-live", "connected", timeout=10_000
            )
            reader.evaluate("window.__notReloaded = true")
            client.patch(
                f"/api/v1/comments/{first['id']}/",
                headers=anna,
                json={"body": "Edited *text*"},
            )
            expect(reader.locator(f"#c-{first['id']} .comment-body em")).to_have_text(
                "text", timeout=10_000
            )
            client.post(
                f"/api/v1/comments/{second['id']}/hide/",
                headers=cecilia,
                json={"reason": "Be kind"},
            )
            hidden = reader.locator(f"#c-{second['id']}")
            expect(hidden).to_contain_text("Hidden by a moderator.", timeout=10_000)
            expect(hidden).to_contain_text("Be kind")
            expect(hidden).not_to_contain_text("Rude text")
            assert reader.evaluate("window.__notReloaded") is True
        finally:
            context.close()
