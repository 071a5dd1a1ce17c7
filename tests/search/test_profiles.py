"""Member profiles (/members/{id}/, GET /api/v1/members/{id}/) and My proposals
(/proposals/mine/), from the outside, with their read rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.discussions.services import create_thread, post_comment
from deliberation.members.models import RoleAssignment
from deliberation.notifications.models import Follow
from proposals import services as proposal_services
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db


def web_for(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def author(tree):
    m = MemberFactory(units=[tree["branch"]], full_name="Astrid Författare")
    give_role(m, tree["branch"], "facilitator")
    return m


@pytest.fixture
def works(tree, author, member, corpus):
    published = proposal_services.create_proposal(
        actor=author,
        title="Publicerat förslag om parker",
        body="",
        clauses=[],
        unit=tree["branch"],
        publish=True,
    )
    draft = proposal_services.create_proposal(
        actor=author,
        title="Hemligt parkutkast",
        body="",
        clauses=[],
        unit=tree["branch"],
        publish=False,
        coauthors=[member],
    )
    thread = create_thread(title="Parkerna i stan", unit=tree["branch"], actor=author)
    visible = post_comment(thread=thread, author=author, body="Synlig parkkommentar")
    in_draft = post_comment(thread=draft.thread, author=author, body="Utkastprat")
    return {
        "published": published,
        "draft": draft,
        "visible": visible,
        "in_draft": in_draft,
    }


def test_profile_shows_name_units_roles_proposals_and_comments(
    works, author, other_member, tree
):
    html = web_for(other_member).get(f"/members/{author.pk}/").content.decode()
    assert "Astrid Författare" in html
    assert tree["branch"].name in html
    assert "Facilitator" in html
    assert "Publicerat förslag om parker" in html
    assert "Synlig parkkommentar" in html
    assert f'href="/comments/{works["visible"].pk}/"' in html


def test_profile_never_shows_drafts_or_their_comments(works, author, member):
    # not even to an invited co-author of the draft
    for viewer in (member, author):
        html = web_for(viewer).get(f"/members/{author.pk}/").content.decode()
        assert "Hemligt parkutkast" not in html
        assert "Utkastprat" not in html


def test_profile_never_shows_hidden_or_deleted_comments(corpus, other_member, member):
    html = web_for(member).get(f"/members/{other_member.pk}/").content.decode()
    assert "cykelbanorna behövs" in html
    assert "Dolda" not in html
    assert "Raderad" not in html


def test_past_role_terms_are_listed(tree, author, other_member):
    now = timezone.now()
    RoleAssignment.objects.create(
        member=author,
        unit=tree["district"],
        role="moderator",
        starts=now - timedelta(days=400),
        ends=now - timedelta(days=35),
        reason="Årsmötet",
    )
    html = web_for(other_member).get(f"/members/{author.pk}/").content.decode()
    assert "Moderator" in html
    assert tree["district"].name in html
    assert "Ended" in html


def test_follow_button_follows_and_unfollows(author, other_member):
    web = web_for(other_member)
    assert "Follow" in web.get(f"/members/{author.pk}/").content.decode()
    resp = web.post(f"/members/{author.pk}/follow/")
    assert resp.status_code == 302
    assert Follow.objects.filter(
        member=other_member, target_kind="member", target_id=author.pk
    ).exists()
    assert "Stop following" in web.get(f"/members/{author.pk}/").content.decode()
    web.post(f"/members/{author.pk}/follow/", {"action": "unfollow"})
    assert not Follow.objects.filter(member=other_member, target_id=author.pk).exists()


def test_own_profile_has_no_follow_button(author):
    html = web_for(author).get(f"/members/{author.pk}/").content.decode()
    assert "/follow/" not in html


def test_profile_needs_sign_in_and_unknown_is_404(client, author, other_member):
    resp = client.get(f"/members/{author.pk}/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]
    assert web_for(other_member).get("/members/999999/").status_code == 404


def test_profile_api(api, author, tree):
    resp = api.get(f"/api/v1/members/{author.pk}/")
    assert resp.status_code == 200
    data = resp.json()
    assert data["name"] == "Astrid Författare"
    assert [u["id"] for u in data["units"]] == [tree["branch"].pk]
    assert data["roles"][0]["role"] == "facilitator"
    assert data["roles"][0]["is_current"] is True


def test_profile_api_refuses_anonymous_and_unknown(anon_client, api, author):
    assert anon_client.get(f"/api/v1/members/{author.pk}/").status_code == 401
    assert api.get("/api/v1/members/999999/").status_code == 404


def test_profile_queries_are_bounded(
    works, author, other_member, django_assert_max_num_queries
):
    web = web_for(other_member)
    web.get(f"/members/{author.pk}/")
    with django_assert_max_num_queries(20):
        assert web.get(f"/members/{author.pk}/").status_code == 200


def test_profile_in_swedish(works, author, other_member):
    html = (
        web_for(other_member)
        .get(f"/members/{author.pk}/", HTTP_ACCEPT_LANGUAGE="sv")
        .content.decode()
    )
    assert "Medlem i" in html
    assert "Uppdrag" in html


# --- /proposals/mine/ ---------------------------------------------------------------


def test_mine_lists_drafts_invitations_written_and_supported(
    tree, works, author, member, other_member
):
    supported = proposal_services.create_proposal(
        actor=other_member,
        title="Ett förslag jag stöder",
        body="",
        clauses=[],
        unit=tree["branch"],
        publish=True,
    )
    proposal_services.support_proposal(proposal=supported, member=member)
    html = web_for(member).get("/proposals/mine/").content.decode()
    invitations, rest = html.split('id="drafts-h"')
    assert "Hemligt parkutkast" in invitations  # member is invited to the draft
    assert 'value="accept_coauthor"' in invitations
    assert "Ett förslag jag stöder" in rest.split('id="supported-h"')[1]

    own = web_for(author).get("/proposals/mine/").content.decode()
    drafts = own.split('id="drafts-h"')[1].split('id="written-h"')[0]
    assert "Hemligt parkutkast" in drafts
    written = own.split('id="written-h"')[1].split('id="supported-h"')[0]
    assert "Publicerat förslag om parker" in written


def test_mine_shows_nobody_else_s_drafts(works, other_member):
    html = web_for(other_member).get("/proposals/mine/").content.decode()
    assert "Hemligt parkutkast" not in html


def test_mine_needs_sign_in(client):
    assert client.get("/proposals/mine/").status_code == 302


def test_mine_queries_are_bounded(works, member, django_assert_max_num_queries):
    web = web_for(member)
    web.get("/proposals/mine/")
    with django_assert_max_num_queries(22):
        assert web.get("/proposals/mine/").status_code == 200


def test_member_names_link_to_profiles(works, author, other_member, tree):
    web = web_for(other_member)
    link = f'href="/members/{author.pk}/"'
    assert link in web.get(f"/proposals/{works['published'].pk}/").content.decode()
    assert link in web.get(f"/threads/{works['visible'].thread_id}/").content.decode()
    assert link in web.get(f"/units/{tree['branch'].pk}/").content.decode()


def test_home_page_shows_an_invitation_to_co_author(works, member):
    # the "Waiting for you" block (needs my action) lists the open invitation
    html = web_for(member).get("/").content.decode()
    assert "Hemligt parkutkast" in html
    assert f'href="/proposals/{works["draft"].pk}/' in html
