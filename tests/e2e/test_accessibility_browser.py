"""Automated accessibility check (axe-core, WCAG 2.1 A/AA rules) of the main pages,
signed out and signed in, in English and Swedish."""

from pathlib import Path

import pytest

from tests.e2e.fixtures import sign_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
PAGES = [
    "/",
    "/units/",
    "/audit/",
    "/audit/?action=proposal.state_changed",
    "/moderation/",
    "/accounts/login/",
    "/accounts/password-reset/",
    "/proposals/",
    "/proposals/new/",
    "/settings/",
    "/search/?q=kollektivtrafik",
    "/needs-action/",
    "/congress/",
    "/congress/1/",
    "/congress/1/items/1/",
    "/congress/1/delegates/1/",
    "/congress/1/booklet/",
]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', "
        "values: ['wcag2a','wcag2aa','wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        f"{[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["en-GB", "sv-SE"])
def test_main_pages_have_no_serious_accessibility_violations(
    embedded_server, browser, locale
):
    context = browser.new_context(bypass_csp=True, locale=locale)  # to inject axe only
    page = context.new_page()
    base = embedded_server["url"]
    found = {}
    extra = []
    if locale == "en-GB":  # signed in; Swedish is checked signed out
        sign_in(page, base, "anna")
        extra = [
            f"/units/{_first_branch(page, base)}/",
            f"/members/{_member_id(page, base, 'bo')}/",
            f"/delegations/graph/?unit={_unit(page, base, 'goteborg')}",
        ]
    for path in PAGES + extra:
        resp = page.goto(base + path)
        if resp.status == 404:
            continue  # an area not built yet
        problems = violations(page)
        if problems:
            found[path] = problems
    context.close()
    assert found == {}


def _member_id(page, base, username: str) -> int:
    roles = page.request.get(base + "/api/v1/roles/?page_size=100").json()["results"]
    return next(r["member"]["id"] for r in roles if r["member"]["username"] == username)


def _unit(page, base, code: str) -> int:
    units = page.request.get(base + "/api/v1/units/").json()["results"]
    return next(u["id"] for u in units if u.get("code") == code)


def _first_branch(page, base) -> int:
    units = page.request.get(base + "/api/v1/units/").json()["results"]
    return next(u["id"] for u in units if u["kind"] == "branch")


def test_the_check_catches_a_violation(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><body><main><img src="x.png">'
        '<input type="text"></main></body></html>'
    )
    problems = violations(page)
    context.close()
    assert any(p.startswith("image-alt") for p in problems)
