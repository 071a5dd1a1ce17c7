"""Full-text search: Swedish and English on PostgreSQL, icontains on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from proposals import services

pytestmark = pytest.mark.django_db

pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="stemming needs PostgreSQL full-text search",
)


def titles(api, q: str) -> list[str]:
    resp = api.get("/api/v1/proposals/", {"q": q})
    assert resp.status_code == 200
    return [r["title"] for r in resp.json()["results"]]


@pytest.fixture
def corpus(make_proposal):
    make_proposal(
        title="Fler cykelbanor i Stockholm",
        clauses=[],
        body="Cyklister behöver säkra vägar till skolan.",
    )
    make_proposal(
        title="Better public transport",
        clauses=[],
        body="Buses should run every ten minutes in the suburbs.",
    )
    make_proposal(
        title="Sänkt skatt för pensionärer", clauses=["att pensionerna höjs"], body=""
    )
    make_proposal(title="Utkast om cyklar", clauses=[], body="", publish=False)


def test_plain_word_finds_title(api, corpus):
    assert titles(api, "cykelbanor") == ["Fler cykelbanor i Stockholm"]


def test_search_reads_body_and_clauses(api, corpus):
    assert titles(api, "pensionerna") == ["Sänkt skatt för pensionärer"]
    assert "Better public transport" in titles(api, "suburbs")


@pg_only
def test_swedish_stemming(api, corpus):
    # "cykelbana" (singular) matches "cykelbanor" through the Swedish stemmer.
    assert "Fler cykelbanor i Stockholm" in titles(api, "cykelbana")
    assert "Fler cykelbanor i Stockholm" in titles(api, "vägen cyklisterna")


@pg_only
def test_english_stemming_and_websearch_syntax(api, corpus):
    assert titles(api, "bus running") == ["Better public transport"]
    assert titles(api, '"public transport" -taxes') == ["Better public transport"]
    assert set(titles(api, "cykelbanor or pensionärer")) == {
        "Sänkt skatt för pensionärer",
        "Fler cykelbanor i Stockholm",
    }


def test_drafts_of_others_are_not_found(api_for, other_member, corpus):
    assert titles(api_for(other_member), "cyklar") == []


def test_edits_are_searchable(api, make_proposal, member):
    p = make_proposal(title="Ett förslag om parker", clauses=[], body="")
    services.update_proposal(proposal=p, actor=member, body="Fontäner i varje park.")
    assert titles(api, "fontäner") == ["Ett förslag om parker"]


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
        "<script>",
        "a\x00b",
        "(",
        "):*",
        "\\",
    ]:
        assert api.get("/api/v1/proposals/", {"q": q}).status_code == 200
        assert api.get("/api/v1/proposals/similar/", {"q": q}).status_code == 200


@pg_only
def test_search_vector_is_stored_with_both_configurations(make_proposal):
    p = make_proposal(title="Running buses", clauses=[], body="")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM proposals_proposal WHERE id=%s", [p.pk]
        )
        vector = cursor.fetchone()[0]
    assert "'run'" in vector
    assert "'bus'" in vector
    assert "'running'" in vector  # swedish leaves English words whole


@pg_only
def test_gin_index_exists():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename='proposals_proposal'"
            " AND indexname='proposals_proposal_search_gin'"
        )
        assert "gin" in cursor.fetchone()[0].lower()


@pg_only
def test_similar_matches_titles_and_clauses_not_rationales(api, make_proposal):
    make_proposal(title="Fler träd i parkerna", clauses=[], body="")
    make_proposal(
        title="Billigare bussar", clauses=["att fler bussar köps in"], body=""
    )
    make_proposal(
        title="Något helt annat", clauses=[], body="Vi vill ha träd överallt."
    )
    found = [
        f["title"]
        for f in api.get("/api/v1/proposals/similar/", {"q": "Träd i parken!"}).json()
    ]
    assert found == ["Fler träd i parkerna"]
    found = [
        f["title"]
        for f in api.get("/api/v1/proposals/similar/", {"q": "nya bussar"}).json()
    ]
    assert found == ["Billigare bussar"]
