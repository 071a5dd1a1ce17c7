"""First contact: the visitor's front page says what Torget is and how the party works
on it, shows what is happening now (public at teaser level) and how to join; the menu
shows a visitor only what they may open; the sign-in form names what it takes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from deliberation.members.models import Member
from proposals import services as proposals
from proposals.models import Proposal
from tests.factories import PASSWORD, MemberFactory
from tests.test_query_counts import assert_fixed, html_rows

pytestmark = pytest.mark.django_db


def sv(client):
    client.cookies["django_language"] = "sv"
    return client


@pytest.fixture
def world(tree, member):
    """A proposal gathering support, one in the vote, one adopted, and a draft."""
    unit = tree["branch"]
    near = proposals.create_proposal(
        actor=member, title="Fler cykelbanor i staden", unit=unit, publish=True
    )
    voting = proposals.create_proposal(
        actor=member, title="Gratis kollektivtrafik för unga", unit=unit, publish=True
    )
    adopted = proposals.create_proposal(
        actor=member, title="Öppna protokoll från styrelsen", unit=unit, publish=True
    )
    Proposal.objects.filter(pk=voting.pk).update(state="voting")
    Proposal.objects.filter(pk=adopted.pk).update(state="adopted")
    draft = proposals.create_proposal(
        actor=member, title="Hemligt utkast om bibliotek", unit=unit, body="Hemlig text"
    )
    return {"near": near, "voting": voting, "adopted": adopted, "draft": draft}


def test_the_front_page_explains_torget_to_a_visitor(client, world):
    html = sv(client).get("/").content.decode()
    assert "Torget — där partiets medlemmar beslutar" in html
    steps = re.findall(r"<li><strong>([^<]+)</strong>", html)
    assert steps == ["Förslag", "Stöd", "Diskussion", "Omröstning", "Kongress"]
    assert "Nära sitt kvorum" in html
    assert "Fler cykelbanor i staden" in html
    assert "Öppna omröstningar" in html
    assert "Gratis kollektivtrafik" in html
    assert "Senaste besluten" in html
    assert "Öppna protokoll" in html
    assert "Hemligt utkast" not in html
    assert 'href="/accounts/login/"' in html
    assert "medlemsnummer" in html  # how to sign in
    assert "lokalavdelning" in html  # how to join


def test_the_front_page_shows_no_raw_codes(client, world, tree):
    from tests.factories import give_role

    give_role(MemberFactory(units=[tree["branch"]]), tree["branch"], "moderator")
    html = sv(client).get("/").content.decode()
    for code in ("role.granted", "proposal.state_changed", "moderator @"):
        assert f">{code}" not in html
        assert f"{code}<" not in html


def test_a_member_gets_the_feed_not_the_visitors_introduction(client, member, world):
    client.force_login(member)
    html = sv(client).get("/").content.decode()
    assert "Så arbetar partiet på Torget" not in html


def test_proposals_in_the_menu_open_a_public_list_for_a_visitor(client, world):
    resp = sv(client).get("/proposals/")
    assert resp.status_code == 200  # not a silent redirect to sign in
    html = resp.content.decode()
    assert "Fler cykelbanor i staden" in html
    assert "Öppna protokoll" in html
    assert "Hemligt utkast" not in html
    assert "Utan att logga in ser du rubrik, enhet och läge" in html
    assert "Vi vill" not in html
    assert "Hemlig text" not in html


def test_every_menu_link_a_visitor_sees_opens_without_signing_in(client, world):
    html = client.get("/").content.decode()
    nav = html[html.index('class="main-nav"') : html.index("</nav>")]
    links = re.findall(r'href="([^"]+)"', nav)
    assert "/proposals/" in links
    assert "/polls/" not in links
    assert ">Moderation log</a>" in nav
    for url in links:
        assert client.get(url).status_code == 200, url


def test_the_sign_in_form_takes_username_e_mail_or_member_number(client, tree):
    m = MemberFactory(units=[tree["branch"]], username="kim")
    Member.objects.filter(pk=m.pk).update(member_number="A-1234")
    html = sv(client).get("/accounts/login/").content.decode()
    assert "Användarnamn, e-post eller medlemsnummer" in html
    for name in ("kim", m.email, "A-1234"):
        c = Client()
        resp = c.post("/accounts/login/", {"username": name, "password": PASSWORD})
        assert resp.status_code == 302, name


def test_the_visitors_front_page_takes_the_same_queries_for_2_or_12_proposals(
    client, tree, member
):
    def grow(n):
        for i in range(n):
            p = proposals.create_proposal(
                actor=member,
                title=f"Förslag nummer {i}",
                unit=tree["branch"],
                publish=True,
            )
            if i % 3 == 1:
                Proposal.objects.filter(pk=p.pk).update(state="voting")
            if i % 3 == 2:
                Proposal.objects.filter(pk=p.pk).update(state="rejected")

    assert_fixed(
        client, "/", grow, html_rows('<br><span class="muted small">'), shown=9
    )
    assert_fixed(client, "/proposals/", grow, html_rows("proposal-card-title"))
