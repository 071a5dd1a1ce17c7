"""Similar proposals while writing, ranked by relevance on the demo data (issue 13:
"Gratis kollektivtrafik för pensionärer" once listed "Fyradagarsvecka…" first)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from deliberation.members.models import Member
from tests.conftest import client_for

RELATED = {
    "Gratis kollektivtrafik för alla under 20",
    "Halva priset för unga i kollektivtrafiken",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=StringIO())


def similar(q: str) -> list[str]:
    api = client_for(Member.objects.get(username="anna"))
    resp = api.get("/api/v1/proposals/similar/", {"q": q})
    assert resp.status_code == 200
    return [p["title"] for p in resp.json()]


@pytest.mark.django_db
def test_related_proposals_rank_first(demo):
    titles = similar("Gratis kollektivtrafik för pensionärer")
    assert titles[0] == "Gratis kollektivtrafik för alla under 20"
    assert set(titles[:2]) == RELATED
    assert "Fyradagarsvecka som försök i kommunen" not in titles


@pytest.mark.django_db
def test_function_words_alone_find_nothing(demo):
    assert similar("för att och the") == []


@pytest.mark.django_db
def test_a_different_subject_finds_its_own(demo):
    assert similar("Cykelbanor på fler gator")[0] == "Fler cykelbanor längs Ringvägen"


@pytest.mark.django_db
def test_the_writing_page_lists_the_related_one_first(demo):
    web = Client()
    web.force_login(Member.objects.get(username="anna"))
    html = web.get(
        "/proposals/new/", {"title": "Gratis kollektivtrafik för pensionärer"}
    ).content.decode()
    first = html.index("Gratis kollektivtrafik för alla under 20")
    assert first < html.index("Halva priset för unga i kollektivtrafiken")
    assert "Fyradagarsvecka" not in html
