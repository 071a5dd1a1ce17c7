"""The congress pages: server-rendered, working without JavaScript (plain forms),
members only; the booklet with print styles and as PDF (503 without the renderer);
fixed query counts for the overview and the items list."""

from __future__ import annotations

import itertools
import sys

import pytest
from django.test import Client
from django.utils import timezone

from congress.models import DelegateVote, Review, Route
from congress.services.forwarding import forward_proposal
from proposals import services as proposal_services
from tests.conftest import client_for
from tests.test_query_counts import api_rows, assert_fixed, html_rows

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


@pytest.fixture
def add_items(congress, tree, member):
    def grow(n: int):
        for _ in range(n):
            proposal = proposal_services.create_proposal(
                actor=member,
                title=f"Nationellt förslag nummer {next(_n)}",
                clauses=["att göra något", "att göra något mer"],
                unit=tree["national"],
                publish=True,
            )
            forward_proposal(
                congress=congress,
                proposal=proposal,
                route=Route.SUPPORT,
                at=timezone.now(),
            )

    return grow


def browser(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_pages_ask_anonymous_visitors_to_sign_in(congress):
    for url in [
        "/congress/",
        f"/congress/{congress.pk}/",
        f"/congress/{congress.pk}/booklet/",
    ]:
        resp = Client().get(url)
        assert resp.status_code == 302
        assert "/accounts/login/" in resp["Location"]


def test_the_list_overview_and_dossier_render(
    member, congress, add_items, delegate_member
):
    add_items(1)
    item = congress.items.get()
    client = browser(member)
    assert congress.name in client.get("/congress/").content.decode()
    page = client.get(
        f"/congress/{congress.pk}/", {"ordering": "-turnout"}
    ).content.decode()
    assert item.proposal.title in page
    assert delegate_member.display_name in page
    assert client.get(f"/congress/{congress.pk}/", {"ordering": "x"}).status_code == 400
    dossier = client.get(item.get_absolute_url())
    assert dossier.status_code == 200
    text = dossier.content.decode()
    assert "att göra något mer" in text
    assert 'id="roll-call"' in text
    assert (
        "<form" not in text.split('id="roll-call"')[1].split("</section>")[0]
    )  # not a delegate


def test_a_delegate_votes_and_reviews_with_plain_forms(
    delegate_member, congress, add_items
):
    add_items(1)
    item = congress.items.get()
    clause = item.clauses.first()
    client = browser(delegate_member)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'name="vote"' in page
    resp = client.post(
        f"{item.get_absolute_url()}vote/",
        {"clause": clause.pk, "vote": "no", "explanation": "Medlemmarna var emot."},
    )
    assert resp.status_code == 302
    again = client.post(
        f"{item.get_absolute_url()}vote/", {"clause": clause.pk, "vote": "yes"}
    )
    assert again.status_code == 400
    assert DelegateVote.objects.get().vote == "no"
    resp = client.post(
        f"{item.get_absolute_url()}review/", {"recommendation": "Avslag"}
    )
    assert resp.status_code == 302
    assert Review.objects.get().recommendation == "Avslag"
    record = client.get(
        f"/congress/{congress.pk}/delegates/{DelegateVote.objects.get().delegate_id}/"
    )
    assert "Medlemmarna var emot." in record.content.decode()


def test_a_non_delegate_form_post_is_refused(member, congress, add_items):
    add_items(1)
    item = congress.items.get()
    resp = browser(member).post(
        f"{item.get_absolute_url()}vote/",
        {"clause": item.clauses.first().pk, "vote": "yes"},
    )
    assert resp.status_code == 403
    assert not DelegateVote.objects.exists()


def test_the_booklet_prints_and_comes_as_pdf(member, congress, add_items):
    add_items(2)
    client = browser(member)
    html = client.get(f"/congress/{congress.pk}/booklet/").content.decode()
    assert "@media print" in html
    assert "Nationellt förslag" in html
    pdf = client.get(f"/congress/{congress.pk}/booklet.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_without_the_pdf_renderer_the_pdf_is_a_clear_503(member, congress, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    client = browser(member)
    resp = client.get(f"/congress/{congress.pk}/booklet.pdf")
    assert resp.status_code == 503
    assert "WeasyPrint" in resp.content.decode()
    resp = client.get(
        f"/congress/{congress.pk}/booklet.pdf", HTTP_ACCEPT="application/json"
    )
    assert resp.status_code == 503
    assert resp.json()["code"] == "pdf_unavailable"


def test_query_counts_of_the_items_list_are_fixed(member, congress, add_items):
    assert_fixed(
        client_for(member),
        f"/api/v1/congresses/{congress.pk}/items/",
        add_items,
        api_rows,
    )


def test_query_counts_of_the_overview_are_fixed(member, congress, add_items):
    assert_fixed(
        browser(member),
        f"/congress/{congress.pk}/",
        add_items,
        html_rows('class="card congress-item"'),
    )
