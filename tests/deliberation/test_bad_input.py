"""Bad input is a 4xx JSON answer naming the problem, never a 500 (issue 7 §3).

Each case below was found by the fuzzer or by hand; the fix is in one shared place
(`deliberation/inputs.py`, the `id` path converter, the JSON parser, the error
middleware), so each test stands for its class.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from deliberation.discussions.services import create_thread
from proposals.services import create_proposal

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit id
HUGER = "119902007496467975021527040"


@pytest.fixture
def proposal(tree, member):
    return create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Text.",
        clauses=["att bygga"],
        unit=tree["branch"],
        publish=True,
    )


@pytest.fixture
def page(member):
    client = Client()
    client.force_login(member)
    return client


def nested(depth: int, open_="[", close="]") -> str:
    return open_ * depth + close * depth


def assert_json_error(resp, status: int, name: str | None = None):
    assert resp.status_code == status, resp.content[:300]
    assert resp["Content-Type"].startswith("application/json"), resp["Content-Type"]
    body = resp.json()
    if name is not None:
        assert name in body, body
        assert body[name], body
    return body


# --- integers in the query string ----------------------------------------------------


def test_huge_topic_and_negative_page_size_is_a_400_naming_the_parameter(api):
    resp = api.get(f"/api/v1/proposals/?topic={HUGER}&page_size=-1562")
    assert_json_error(resp, 400, "topic")


def test_negative_page_size_alone_is_a_400_naming_page_size(api):
    resp = api.get("/api/v1/proposals/?page_size=-1562")
    assert_json_error(resp, 400, "page_size")


def test_page_size_above_the_maximum_is_capped(api):
    resp = api.get("/api/v1/proposals/?page_size=100000")
    assert resp.status_code == 200


def test_huge_revision_in_diff_is_a_400_naming_from(api, proposal):
    resp = api.get(f"/api/v1/proposals/{proposal.pk}/revisions/diff/?from={HUGE}")
    assert_json_error(resp, 400, "from")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/moderation-log/?unit=",
        "/api/v1/threads/?unit=",
        "/api/v1/proposals/?author=",
        "/api/v1/proposals/?unit=",
        "/api/v1/live-sessions/?thread=",
    ],
)
def test_huge_id_in_an_api_filter_is_a_400(api, path):
    assert_json_error(api.get(path + HUGE), 400, path.rsplit("?", 1)[1][:-1])


def test_huge_unit_on_the_public_moderation_log_is_a_400_anonymously(anon_client):
    resp = anon_client.get(f"/api/v1/moderation-log/?unit={HUGE}")
    assert_json_error(resp, 400, "unit")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/threads/?unit=x",
        "/api/v1/proposals/?unit=x",
        "/api/v1/threads/?unit=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "/api/v1/roles/?unit=%C2%B2",
        "/api/v1/audit-log/?unit=-1",
    ],
)
def test_a_filter_that_is_not_a_number_is_the_same_400_everywhere(api, path):
    """One parser, one behaviour (issue 8): `?unit=x` is refused on threads as on
    proposals, with the parameter named."""
    body = assert_json_error(api.get(path), 400, "unit")
    assert "whole number" in body["unit"][0]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/threads/?kind=AAA", "kind"),
        ("/api/v1/follows/?target_kind=AAA", "target_kind"),
        ("/api/v1/live-sessions/?upcoming=null", "upcoming"),
        ("/api/v1/roles/?all=maybe", "all"),
        ("/api/v1/proposals/?followed=2", "followed"),
        ("/api/v1/proposals/?state=bogus", "state"),
        ("/api/v1/proposals/?ordering=bogus", "ordering"),
    ],
)
def test_a_filter_value_the_endpoint_does_not_take_is_a_400_not_ignored(
    api, path, name
):
    """Found by the fuzzer's negative check: most answered 200 as if unfiltered."""
    assert_json_error(api.get(path), 400, name)


def test_huge_id_on_the_feed_is_a_400_naming_it(page):
    resp = page.get(f"/proposals/feed/?unit={HUGE}")
    assert resp.status_code == 400
    assert "unit: Must be a whole number" in resp.content.decode()


@pytest.mark.parametrize(
    "query", [f"author={HUGE}", f"unit={HUGE}", "page_size=%C2%B2"]
)
def test_odd_filters_on_the_list_page_are_shown_not_a_500(page, query):
    """The list page's filter form shows what it refuses next to the field."""
    resp = page.get(f"/proposals/?{query}")
    assert resp.status_code == 200
    if "page_size" not in query:
        assert 'class="field-error"' in resp.content.decode()


def test_huge_id_on_the_feed_is_a_400_anonymously(client):
    assert client.get(f"/proposals/feed/?unit={HUGE}").status_code == 400


def test_huge_revision_on_the_diff_page_is_a_400(page, proposal):
    assert page.get(f"/proposals/{proposal.pk}/diff/?from={HUGE}").status_code == 400


# --- integers in the path ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/proposals/{HUGER}/",
        f"/api/v1/threads/{HUGE}/comments/",
        f"/api/v1/comments/{HUGE}/",
        f"/api/v1/units/{HUGE}/",
    ],
)
def test_huge_id_in_an_api_path_is_a_json_404(api, path):
    assert_json_error(api.get(path), 404, "detail")


def test_huge_id_in_a_page_path_is_a_404(page):
    assert page.get(f"/proposals/{HUGE}/").status_code == 404


def test_every_url_pattern_uses_the_range_checked_id_converter():
    """No `<int:...>` anywhere: ids go through the `id` converter (≤ 64 bits), so a new
    endpoint cannot forget the range check."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            if isinstance(p, URLPattern | URLResolver):
                yield p

    offenders = [
        str(p.pattern)
        for p in walk(get_resolver().url_patterns)
        if any(
            type(c) is IntConverter
            for c in getattr(p.pattern, "converters", {}).values()
        )
    ]
    assert offenders == []


# --- integers in JSON bodies ---------------------------------------------------------


def test_huge_unit_in_a_json_body_is_a_400_naming_it(api):
    resp = api.post("/api/v1/threads/", {"title": "Hej", "unit": 2**70}, format="json")
    assert_json_error(resp, 400, "unit")


def test_huge_parent_in_a_comment_is_a_400(api, tree, member):
    thread = create_thread(title="T", unit=tree["branch"], actor=member)
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "Hej", "stance": "for", "parent": 2**64},
        format="json",
    )
    assert_json_error(resp, 400, "parent")


def test_huge_number_deep_in_a_body_is_named_by_its_path(api):
    resp = api.post(
        "/api/v1/threads/",
        {"title": "x", "unit": 1, "extra": [{"n": -(2**63) - 1}]},
        format="json",
    )
    assert_json_error(resp, 400, "extra.0.n")


@pytest.mark.parametrize("number", ["1e400", "-1e999"])
def test_infinite_numbers_in_a_body_are_a_400(api, number):
    resp = api.post(
        "/api/v1/threads/",
        '{"title": "x", "unit": ' + number + "}",
        content_type="application/json",
    )
    assert_json_error(resp, 400, "unit")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_a_400(api, literal):
    resp = api.post(
        "/api/v1/threads/",
        '{"title": "x", "unit": ' + literal + "}",
        content_type="application/json",
    )
    assert_json_error(resp, 400, "detail")


@pytest.mark.parametrize("unit", [0, -1, 2**63 - 1])
def test_ids_out_of_range_but_within_64_bits_are_a_field_error(api, unit):
    resp = api.post("/api/v1/threads/", {"title": "x", "unit": unit}, format="json")
    assert_json_error(resp, 400, "unit")


def test_huge_follow_target_is_a_400(api):
    resp = api.post(
        "/api/v1/follows/",
        {"target_kind": "proposal", "target_id": 2**64},
        format="json",
    )
    assert_json_error(resp, 400, "target_id")


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("0687-12-07T04:43:18+01:00", "3261-09-02T06:42:22+01:00"),  # the fuzzer's
        ("2026-12-20T18:00:00+01:00", "2026-12-23T18:00:00+01:00"),  # three days
        ("2990-01-01T18:00:00+01:00", "2990-01-01T19:00:00+01:00"),  # far ahead
    ],
)
def test_a_live_session_outside_sane_times_is_a_400(api_for, tree, starts, ends):
    """A session from year 687 to 3261 was stored, and its answer carried a local
    mean time offset (+01:12:12) that is no RFC 3339 date-time."""
    from tests.factories import MemberFactory, give_role

    facilitator = MemberFactory(units=[tree["branch"]])
    give_role(facilitator, tree["branch"], "facilitator")
    resp = api_for(facilitator).post(
        "/api/v1/live-sessions/",
        {"unit": tree["branch"].pk, "title": "Möte", "starts": starts, "ends": ends},
        format="json",
    )
    assert_json_error(resp, 400, "detail")


# --- JSON bodies that are not objects or nest too deep -------------------------------


def test_a_json_list_where_an_object_is_expected_is_a_400(api):
    resp = api.post("/api/v1/follows/", "[null, null]", content_type="application/json")
    body = assert_json_error(resp, 400, "detail")
    assert "object" in str(body["detail"])


@pytest.mark.parametrize("body", ["null", "3", '"text"', "true"])
def test_a_json_scalar_body_is_a_400(api, body):
    resp = api.post("/api/v1/threads/", body, content_type="application/json")
    assert_json_error(resp, 400, "detail")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/token/", "/api/v1/proposals/", "/api/v1/threads/{}/comments/"],
)
def test_json_nested_10000_deep_is_a_400(api, tree, member, path):
    thread = create_thread(title="T", unit=tree["branch"], actor=member)
    path = path.format(thread.pk)
    resp = api.post(path, nested(10_000), content_type="application/json")
    body = assert_json_error(resp, 400, "detail")
    assert "deep" in str(body["detail"])


def test_json_objects_nested_deeper_than_the_limit_are_a_400(api):
    deep = '{"a":' * 40 + "1" + "}" * 40
    resp = api.post(
        "/api/v1/threads/",
        '{"title": "x", "unit": 1, "x": ' + deep + "}",
        content_type="application/json",
    )
    assert_json_error(resp, 400, "detail")


def test_brackets_inside_strings_do_not_count_as_nesting(api, tree):
    title = "[" * 100 + '{"' * 50 + "\\" + "]" * 3
    resp = api.post(
        "/api/v1/threads/",
        json.dumps({"title": title[:200], "unit": tree["branch"].pk}),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content


def test_invalid_json_is_a_400(api):
    resp = api.post("/api/v1/threads/", "{nope", content_type="application/json")
    assert_json_error(resp, 400, "detail")


# --- sizes, unknown paths, methods, server errors ------------------------------------


def test_a_3_mb_body_answers_json_413(api):
    resp = api.post(
        "/api/v1/proposals/",
        json.dumps({"title": "x", "body": "a" * 3_000_000}),
        content_type="application/json",
    )
    assert_json_error(resp, 413, "detail")


def test_a_3_mb_form_body_answers_json_413_too(anon_client):
    resp = anon_client.post(
        "/api/v1/auth/token/",
        {"username": "a" * 3_000_000, "password": "x"},
        format="multipart",
    )
    assert_json_error(resp, 413, "detail")


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/v1/nothing/", "/api/v1/proposals/abc/", "/api/"]
)
def test_unknown_api_paths_answer_json_404(anon_client, path):
    assert_json_error(anon_client.get(path), 404, "detail")


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/v1/proposals/99/"])
def test_unknown_api_paths_answer_json_even_with_debug_on(settings, api, path):
    """DEBUG's technical 404 page is HTML; under /api/ it is JSON (the embedded
    profile runs with DEBUG on)."""
    settings.DEBUG = True
    assert_json_error(api.get(path), 404, "detail")


def test_unknown_method_answers_json_405(api):
    assert_json_error(api.put("/api/v1/proposals/"), 405, "detail")


@pytest.mark.urls("tests.deliberation.urls_boom")
@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_under_api_answers_json_500(settings, debug):
    """The last resort is JSON too (handler500; DEBUG's traceback page is replaced),
    for a DRF view and a plain one."""
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    for path in ("/api/v1/boom/", "/api/v1/plain-boom/"):
        body = assert_json_error(client.get(path), 500, "detail")
        assert "Traceback" not in json.dumps(body)


@pytest.mark.urls("tests.deliberation.urls_boom")
def test_a_server_error_on_a_page_stays_an_html_page():
    resp = Client(raise_request_exception=False).get("/plain-boom/")
    assert resp.status_code == 500
    assert resp["Content-Type"].startswith("text/html")
