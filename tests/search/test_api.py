"""GET /api/v1/search/ from the outside: every kind, the read rules, ranking,
snippets, pagination and input."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="stemming needs PostgreSQL"
)


def search(api, q, **params):
    resp = api.get("/api/v1/search/", {"q": q, **params})
    assert resp.status_code == 200, resp.content
    return resp.json()


def found(api, q, **params) -> set[tuple[str, int]]:
    return {(h["type"], h["id"]) for h in search(api, q, **params)["results"]}


def test_one_search_finds_every_kind(api, corpus):
    hits = found(api, "cykelbanor")
    assert ("proposal", corpus["proposal"].pk) in hits
    assert ("proposal", corpus["body_only"].pk) in hits
    assert ("thread", corpus["thread"].pk) in hits
    assert ("comment", corpus["comment"].pk) in hits
    assert ("poll", corpus["poll"].pk) in hits


def test_a_hit_has_type_id_title_url_and_snippet(api, corpus):
    data = search(api, "cykelbanor", type="comment")
    assert set(data) == {"count", "next", "previous", "results"}
    (hit,) = [h for h in data["results"] if h["id"] == corpus["comment"].pk]
    assert hit["type"] == "comment"
    assert hit["title"] == "Cykelbanor på Götgatan?"
    assert hit["url"] == f"/comments/{corpus['comment'].pk}/"
    assert "<mark>" in hit["snippet"]
    # the comment's own markup is escaped: the only tags are our <mark>s
    assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert set(hit) >= {"type", "id", "title", "url", "snippet"}


def test_type_filter_narrows_to_one_kind(api, corpus):
    assert found(api, "cykelbanor", type="poll") == {("poll", corpus["poll"].pk)}
    assert {t for t, _ in found(api, "cykelbanor", type="proposal")} == {"proposal"}


def test_unknown_type_is_a_400_naming_it(api, corpus):
    resp = api.get("/api/v1/search/", {"q": "x", "type": "nope"})
    assert resp.status_code == 400
    assert "type" in resp.json()


def test_anonymous_is_refused(anon_client, corpus):
    assert anon_client.get("/api/v1/search/", {"q": "cykelbanor"}).status_code == 401


def test_empty_query_finds_nothing(api, corpus):
    assert search(api, "")["count"] == 0
    assert search(api, "   ")["count"] == 0


def test_drafts_are_never_found(api, api_for, other_member, corpus):
    for viewer in (api, api_for(other_member)):
        hits = found(viewer, "hemligt utkast")
        assert ("proposal", corpus["draft"].pk) not in hits


def test_a_draft_threads_comment_is_found_by_nobody(api, api_for, other_member, corpus):
    for viewer in (api, api_for(other_member)):
        assert ("comment", corpus["draft_comment"].pk) not in found(viewer, "zebra")


def test_hidden_and_deleted_text_is_found_by_nobody(
    api, api_for, other_member, moderator, corpus
):
    for viewer in (api, api_for(other_member), api_for(moderator)):
        hits = found(viewer, "zebra")
        assert ("comment", corpus["hidden"].pk) not in hits
        assert ("comment", corpus["deleted"].pk) not in hits
        texts = " ".join(h["snippet"] for h in search(viewer, "zebra")["results"])
        assert "hemlis" not in texts
        assert "Raderad" not in texts


def test_a_signed_in_account_without_membership_finds_no_discussions(api_for, corpus):
    from tests.factories import MemberFactory

    stranger = MemberFactory(units=[])
    kinds = {t for t, _ in found(api_for(stranger), "cykelbanor")}
    assert kinds <= {"proposal"}


def test_a_title_match_ranks_above_a_rationale_match(api, corpus):
    ids = [h["id"] for h in search(api, "cykelbanor", type="proposal")["results"]]
    assert ids.index(corpus["proposal"].pk) < ids.index(corpus["body_only"].pk)


def test_pages_are_paginated(api, corpus):
    data = search(api, "cykelbanor", page_size=2)
    assert data["count"] >= 5
    assert len(data["results"]) == 2
    assert data["next"]
    second = api.get(data["next"]).json()
    assert not {h["id"] for h in second["results"]} & set() or second["results"]


@pg_only
def test_swedish_and_english_stemming(api, corpus, tree, member):
    from deliberation.discussions.services import create_thread

    create_thread(title="Running buses all night", unit=tree["branch"], actor=member)
    assert ("proposal", corpus["proposal"].pk) in found(api, "cykelbana")
    assert any(t == "thread" for t, _ in found(api, "bus runs"))


def test_odd_input_never_fails(api, corpus):
    for q in [
        "'",
        '"',
        "&&",
        "!!",
        "a:b",
        "x" * 500,
        "-",
        "or",
        "<b>",
        "a\x00b",
        "(",
        "):*",
        "\\",
        "\ue000cykel\ue001",
    ]:
        assert api.get("/api/v1/search/", {"q": q}).status_code == 200


def test_queries_are_bounded(api, corpus, django_assert_max_num_queries):
    # auth, membership check(s), count, page, one per kind on the page
    with django_assert_max_num_queries(12):
        search(api, "cykelbanor")


def test_query_count_does_not_grow_with_hits(api, corpus, tree, member):
    from django.test.utils import CaptureQueriesContext

    from deliberation.discussions.services import create_thread, post_comment

    search(api, "cykelbanor")  # warm caches

    with CaptureQueriesContext(connection) as before:
        search(api, "cykelbanor")
    t = create_thread(title="Mer om cykelbanor", unit=tree["branch"], actor=member)
    for i in range(5):
        post_comment(
            thread=t, author=member, body=f"cykelbanor {i}", enforce_rate=False
        )
    with CaptureQueriesContext(connection) as after:
        search(api, "cykelbanor")
    assert len(after) == len(before)
