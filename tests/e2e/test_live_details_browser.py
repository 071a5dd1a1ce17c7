"""Issue 13's live details in a real browser (the embedded profile, its in-process
beat): a session's agenda shows the moment it is scheduled and its start arrives
without a reload; live comments show the count and the time as the server renders
them; editing a comment from a proposal page returns there; the header and the
revisions table fit 375 px; the Markdown preview with and without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import screenshot, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _api(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    token = client.post(
        "/api/v1/auth/token/",
        json={"username": username, "password": "demo-pass-2026"},
    ).json()["token"]
    client.headers["Authorization"] = f"Token {token}"
    return client


def _branch(client: httpx.Client) -> int:
    units = client.get("/api/v1/units/").json()["results"]
    return next(u["id"] for u in units if u["code"] == "sodermalm")


def _thread(client: httpx.Client, title: str) -> int:
    resp = client.post(
        "/api/v1/threads/", json={"title": title, "unit": _branch(client)}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def _context(browser, viewport, **kw):
    context = browser.new_context(locale="en-GB", viewport=viewport, **kw)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    return context, page


def test_session_agenda_start_count_and_time_arrive_live(embedded_server, browser):
    base = embedded_server["url"]
    anna, bo = _api(base, "anna"), _api(base, "bo")
    thread_id = _thread(anna, "Live details thread")
    context, reader = _context(browser, DESKTOP, timezone_id="America/New_York")
    try:
        sign_in(reader, base, "david")
        reader.goto(f"{base}/threads/{thread_id}/")
        expect(reader.locator("[data-thread-live]")).to_have_attribute(
            "data-live", "connected", timeout=10_000
        )
        reader.evaluate("window.__notReloaded = true")
        # bo schedules a session starting in a few seconds: the agenda shows at once
        starts = datetime.now(UTC) + timedelta(seconds=4)
        resp = bo.post(
            "/api/v1/live-sessions/",
            json={
                "unit": _branch(bo),
                "thread": thread_id,
                "title": "Kvällsmöte om lokalen",
                "agenda": "1. Lokalen\n2. Övrigt",
                "starts": starts.isoformat(),
                "duration_minutes": 60,
            },
        )
        assert resp.status_code == 201, resp.text
        upcoming = reader.locator(".session-upcoming")
        expect(upcoming).to_contain_text("Kvällsmöte om lokalen", timeout=10_000)
        upcoming.locator("summary").click()
        expect(upcoming.locator(".prose")).to_contain_text("2. Övrigt")
        # the beat (every 30 s) announces the start: the banner comes without reload
        banner = reader.locator(".session-banner")
        expect(banner).to_contain_text("Live session now", timeout=45_000)
        expect(banner).to_contain_text("1. Lokalen")
        expect(reader.locator("[data-thread-live]")).to_have_class(
            "thread thread-live-session"
        )
        # a comment arrives live: the count changes, the time reads as the server's
        count = reader.locator(f"[data-comment-count='{thread_id}']")
        expect(count).to_have_text("0 comments")
        anna.post(
            f"/api/v1/threads/{thread_id}/comments/",
            json={"body": "Jag kommer!", "stance": "for"},
        )
        expect(count).to_have_text("1 comment", timeout=10_000)
        author = reader.locator(".comment [data-author] a.member-link").first
        expect(author).to_have_text("Anna Andersson")  # linked as the page links it
        same = "a => [a.className, a.getAttribute('href'), a.textContent]"
        live_link = author.evaluate(same)
        live_time = reader.locator(".comment time").first
        expect(live_time).not_to_have_text("")
        shown_live = live_time.inner_text()
        assert reader.evaluate("window.__notReloaded") is True
        screenshot(reader, "thread-session-live")
        reader.reload()
        assert reader.locator(".comment time").first.inner_text() == shown_live
        reloaded = reader.locator(".comment [data-author] a.member-link").first
        assert reloaded.evaluate(same) == live_link
        expect(count).to_have_text("1 comment")
        assert reader.console_errors == []
    finally:
        context.close()
        anna.close()
        bo.close()


def _proposal_id(client: httpx.Client, title_start: str) -> int:
    results = client.get("/api/v1/proposals/", params={"page_size": 100}).json()
    return next(
        p["id"] for p in results["results"] if p["title"].startswith(title_start)
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_header_folds_into_a_menu_at_375px(embedded_server, browser, javascript):
    base = embedded_server["url"]
    context, page = _context(browser, PHONE, java_script_enabled=javascript)
    try:
        sign_in(page, base, "anna")
        page.goto(f"{base}/proposals/")
        header = page.locator(".site-header")
        assert header.bounding_box()["height"] < 70  # one row, not three (~185 px)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link", name="Units")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert nav.bounding_box()["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if javascript:
            screenshot(page, "menu-375")
            # the keyboard opens and closes it too (the checkbox takes focus)
            page.keyboard.press("Space")
            expect(nav).to_be_hidden()
        assert page.console_errors == []
    finally:
        context.close()


def test_wide_header_shows_everything_without_a_menu_button(embedded_server, browser):
    base = embedded_server["url"]
    context, page = _context(browser, DESKTOP)
    try:
        sign_in(page, base, "anna")
        expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_visible()
        # two rows: brand and tools, then the whole menu on one line
        assert page.locator(".site-header").bounding_box()["height"] < 110
        assert nav.bounding_box()["height"] < 45
        screenshot(page, "header-1280")
    finally:
        context.close()


def test_revisions_table_fits_375px(embedded_server, browser):
    base = embedded_server["url"]
    anna = _api(base, "anna")
    pid = _proposal_id(anna, "Gratis kollektivtrafik")
    anna.close()
    context, page = _context(browser, PHONE)
    try:
        sign_in(page, base, "anna")
        page.goto(f"{base}/proposals/{pid}/revisions/")
        table = page.locator("table.stack-table")
        box = table.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        first_row = table.locator("tbody tr").first
        for cell in first_row.locator("td").all():  # every column is on screen
            cell_box = cell.bounding_box()
            assert cell_box["x"] + cell_box["width"] <= PHONE["width"]
        expect(first_row.locator("td").nth(5)).to_be_visible()
        page.get_by_role("button", name="Compare").click()
        expect(page).to_have_url(f"{base}/proposals/{pid}/diff/?to=3&from=2")
        page.go_back()
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "revisions-375")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_markdown_preview_in_place_with_javascript(embedded_server, browser, viewport):
    base = embedded_server["url"]
    context, page = _context(browser, viewport)
    try:
        sign_in(page, base, "anna")
        page.goto(f"{base}/proposals/new/")
        page.evaluate("window.__notReloaded = true")
        page.get_by_label("Rationale").fill(
            "Vi vill ha **fler** cykelbanor:\n\n- säkra\n- breda"
        )
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("[data-preview-output]")
        expect(preview).to_be_visible()
        expect(preview.locator("strong")).to_have_text("fler")
        expect(preview.locator("li")).to_have_count(2)
        assert page.evaluate("window.__notReloaded") is True  # fetched, not submitted
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        )
        preview.scroll_into_view_if_needed()
        screenshot(page, f"preview-{viewport['width']}")
        assert page.console_errors == []
    finally:
        context.close()


def test_markdown_preview_without_javascript_posts_nothing(embedded_server, browser):
    base = embedded_server["url"]
    anna = _api(base, "anna")
    thread_id = _thread(anna, "Preview without JavaScript")
    context, page = _context(browser, PHONE, java_script_enabled=False)
    try:
        sign_in(page, base, "anna")
        page.goto(f"{base}/threads/{thread_id}/")
        page.get_by_label("Your comment").fill("Ett *utkast*")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        preview = page.locator("[data-preview-output]")
        expect(preview.locator("em")).to_have_text("utkast")
        expect(page.get_by_label("Your comment")).to_have_value("Ett *utkast*")
        comments = anna.get(f"/api/v1/threads/{thread_id}/comments/").json()
        assert comments["count"] == 0
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_load_state()
        expect(page.locator(".comment-body em")).to_have_text("utkast")
    finally:
        context.close()
        anna.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_new_states_have_no_serious_accessibility_violations(
    embedded_server, browser, viewport
):
    from tests.e2e.test_accessibility_browser import violations

    base = embedded_server["url"]
    anna = _api(base, "anna")
    pid = _proposal_id(anna, "Gratis kollektivtrafik")
    anna.close()
    found = {}
    for locale in ("en-GB", "sv-SE"):
        context = browser.new_context(bypass_csp=True, locale=locale, viewport=viewport)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")  # in either language
        page.fill("input[name=username]", "bo")
        page.fill("input[name=password]", "demo-pass-2026")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        for path in (
            "/proposals/new/",
            f"/proposals/{pid}/",
            f"/proposals/{pid}/revisions/",
        ):
            page.goto(base + path)
            if viewport is PHONE:
                page.locator(".menu-button").click()  # the open menu too
            if path == "/proposals/new/":
                page.locator("button[data-preview]").click()
                expect(page.locator("[data-preview-output]")).to_be_visible()
            problems = violations(page)
            if problems:
                found[f"{locale} {path}"] = problems
        context.close()
    assert found == {}
