"""A member's first journey in a real browser: sign in, open your unit, switch
language."""

import pytest
from playwright.sync_api import expect

from tests.e2e.fixtures import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_sign_in_open_unit_switch_language(embedded_server, page):
    base = embedded_server["url"]
    page.goto(base + "/")
    screenshot(page, "home-anonymous")
    sign_in(page, base, "anna")
    expect(page.get_by_role("link", name="Anna Andersson")).to_be_visible()
    page.get_by_role("link", name="Södermalm lokalavdelning").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Södermalm lokalavdelning"
    )
    expect(page.get_by_text("You are a member here")).to_be_visible()
    roles = page.get_by_role("region", name="Current role holders")
    expect(
        roles.get_by_text("Bo Bengtsson")
    ).to_be_visible()  # the branch's facilitator
    screenshot(page, "unit")
    page.get_by_label("Language").select_option("sv")  # submits by itself with JS
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_text("Du är medlem här")).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert page.console_errors == []


def test_wrong_password_shows_error_and_keyboard_reaches_main(embedded_server, page):
    base = embedded_server["url"]
    page.goto(base + "/accounts/login/")
    skip = page.get_by_role("link", name="Skip to content")
    skip.focus()
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    screenshot(page, "login-error")


def test_unit_page_fits_a_phone(embedded_server, browser):
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="en-GB"
    )
    page = context.new_page()
    page.goto(embedded_server["url"] + "/units/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    context.close()
