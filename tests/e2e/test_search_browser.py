"""Finding things and people in a real browser (make run's embedded server, demo
data): the header's search form, a member profile with its follow button, and My
proposals. Screenshots for the README."""

import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_search_profile_and_my_proposals(embedded_server, page):
    base = embedded_server["url"]
    sign_in(page, base, "anna")

    header_search = page.get_by_role("search", name="Search Torget").first
    header_search.get_by_role("searchbox").fill("kollektivtrafik")
    header_search.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    hits = page.locator(".search-hits")
    expect(
        hits.get_by_role(
            "link", name="Gratis kollektivtrafik för alla under 20", exact=True
        )
    ).to_be_visible()
    expect(hits.locator("mark").first).to_be_visible()
    expect(page.get_by_text("Vårdcentral öppen på kvällar")).to_have_count(0)
    screenshot(page, "search")

    hits.get_by_role(
        "link", name="Gratis kollektivtrafik för alla under 20", exact=True
    ).click()
    page.locator("header").get_by_role("link", name="Bo Bengtsson").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo Bengtsson")
    roles = page.get_by_role("region", name="Roles")
    expect(roles.get_by_text("Facilitator").first).to_be_visible()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    screenshot(page, "profile")

    page.goto(base + "/proposals/mine/")
    drafts = page.get_by_role("region", name="Drafts")
    expect(drafts.get_by_text("Vårdcentral öppen på kvällar")).to_be_visible()
    screenshot(page, "my-proposals")
