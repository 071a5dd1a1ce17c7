"""A visitor's first contact in a real browser, on the demo data: the front page says
what Torget is and how the party works on it, what is happening now and how to join;
"Proposals" in the menu opens the public list, not a sign-in page; the audit log
reads as sentences. Screenshots at 1280 and 375 px."""

import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import screenshot

pytestmark = pytest.mark.e2e


def test_a_visitor_learns_what_torget_is_and_finds_the_proposals(embedded_server, page):
    base = embedded_server["url"]
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Torget — where the party's members decide"
    )
    steps = page.get_by_role("region", name="How the party works on Torget")
    expect(steps.locator("ol > li")).to_have_count(5)
    for region in ("Near their quorum", "Votes open", "Recent decisions"):
        box = page.get_by_role("region", name=region)
        expect(box.locator("li").first).to_be_visible()  # the demo has each
    expect(page.get_by_role("region", name="Join or sign in")).to_contain_text(
        "member number"
    )
    screenshot(page, "front-visitor")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    screenshot(page, "front-visitor-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Proposals"
    ).click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals")
    expect(page.locator(".proposal-card-title").first).to_be_visible()
    page.goto(base + "/audit/?action=proposal.state_changed")
    entry = page.locator(".audit-entry").first
    expect(entry).to_contain_text("“")  # a proposal named, not a code
    expect(entry.locator("a").first).to_be_visible()
    assert page.console_errors == []
