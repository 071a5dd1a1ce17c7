"""In a real browser against a real server: the support figures on a proposal page
update live when someone else supports it (websocket), and the core flow works with
JavaScript switched off."""

from __future__ import annotations

import json
import urllib.parse

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import screenshot, sign_in

pytestmark = pytest.mark.e2e


def _api(
    base: str,
    path: str,
    *,
    token: str | None = None,
    data: dict | None = None,
    method: str | None = None,
) -> dict:
    response = httpx.request(
        method or ("POST" if data is not None else "GET"),
        base + path,
        content=json.dumps(data).encode() if data is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Token {token}"} if token else {}),
        },
        timeout=10,
    )
    response.raise_for_status()
    return json.loads(response.content or b"{}")


def _token(base: str, username: str) -> str:
    return _api(
        base,
        "/api/v1/auth/token/",
        data={"username": username, "password": "demo-pass-2026"},
    )["token"]


def _proposal(base: str, token: str, title: str) -> dict:
    found = _api(base, "/api/v1/proposals/?q=" + urllib.parse.quote(title), token=token)
    return next(p for p in found["results"] if p["title"] == title)


def test_support_count_updates_live(embedded_server, page):
    base = embedded_server["url"]
    token = _token(base, "member250")  # a member in another district: national scope
    proposal = _proposal(base, token, "Fyradagarsvecka som försök i kommunen")
    sign_in(page, base, "anna")
    page.goto(f"{base}/proposals/{proposal['id']}/")
    box = page.locator("#support")
    count = box.locator("[data-support-count]")
    expect(count).to_have_text(str(proposal["support_count"]))
    page.wait_for_timeout(500)  # the module connects its websocket
    answer = _api(
        base, f"/api/v1/proposals/{proposal['id']}/support/", token=token, data={}
    )
    assert answer["support_count"] == proposal["support_count"] + 1
    expect(count).to_have_text(str(answer["support_count"]), timeout=5000)
    screenshot(page, "proposal")
    assert page.console_errors == []


def test_write_and_support_without_javascript(embedded_server, browser):
    base = embedded_server["url"]
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, base, "bo")
        page.goto(f"{base}/proposals/new/")
        page.get_by_label("Title").fill("Träd längs varje ny gata")
        page.get_by_label("Decision clauses").fill("att varje ny gata får träd")
        page.get_by_label("Publish now").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Träd längs varje ny gata"
        )
        expect(page.locator("#support")).to_contain_text("needed")
        page.goto(f"{base}/proposals/?q=träd")
        expect(
            page.get_by_role("link", name="Träd längs varje ny gata")
        ).to_be_visible()
        screenshot(page, "proposals-list")
    finally:
        context.close()


def test_proposal_pages_have_no_serious_accessibility_violations(
    embedded_server, browser
):
    from tests.e2e.test_accessibility_browser import violations

    base = embedded_server["url"]
    context = browser.new_context(bypass_csp=True, locale="en-GB")  # to inject axe only
    page = context.new_page()
    try:
        sign_in(page, base, "anna")
        token = _token(base, "anna")
        p = _proposal(base, token, "Gratis kollektivtrafik för alla under 20")
        amendments = _api(
            base, f"/api/v1/proposals/{p['id']}/amendments/", token=token
        )["results"]
        paths = [
            f"/proposals/{p['id']}/",
            f"/proposals/{p['id']}/revisions/",
            f"/proposals/{p['id']}/diff/?from=1&to={p['revision']}",
            f"/proposals/{p['id']}/amendments/{amendments[0]['id']}/",
            f"/units/{p['unit']}/policy/",
            "/proposals/?q=kollektivtrafik",
        ]
        found = {}
        for path in paths:
            assert page.goto(base + path).status == 200, path
            problems = violations(page)
            if problems:
                found[path] = problems
        assert found == {}
    finally:
        context.close()
    teaser = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    teaser.goto(f"{base}/proposals/{p['id']}/")
    assert violations(teaser) == []
    teaser.context.close()


def test_state_label_changes_live_when_quorum_is_reached(embedded_server, page):
    base = embedded_server["url"]
    anna = _token(base, "anna")
    created = _api(
        base,
        "/api/v1/proposals/",
        token=anna,
        data={
            "title": "Belysning i alla parker",
            "unit": _proposal(base, anna, "Fler cykelbanor längs Ringvägen")["unit"],
            "publish": True,
        },
    )
    sign_in(page, base, "anna")
    page.goto(f"{base}/proposals/{created['id']}/")
    state = page.locator("#support [data-state]")
    expect(state).to_have_text("Gathering support")
    page.wait_for_timeout(500)
    for n in range(created["support_needed"]):
        _api(
            base,
            f"/api/v1/proposals/{created['id']}/support/",
            token=_token(base, f"member{1 + 12 * n:03d}"),
            data={},
        )
    expect(state).to_have_text("In discussion", timeout=5000)
