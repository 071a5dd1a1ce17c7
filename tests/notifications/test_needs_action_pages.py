"""The `/needs-action/` page and the home page's "Waiting for you" block, from the
outside: signed-in members only, without JavaScript, each item saying what to do,
in English and Swedish; the home page no longer lists proposals the member cannot
act on (frozen, voting)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.discussions.services import create_thread, post_comment
from proposals import services as proposals
from proposals.models import Proposal
from tests.factories import MemberFactory

from .needs_action_helpers import open_poll, proposal_near_quorum, vote

pytestmark = pytest.mark.django_db

POLL_LINK = re.compile(r'href="/polls/\d+/"')


@pytest.fixture
def web(client, member):
    client.force_login(member)
    return client


def test_page_requires_sign_in(client):
    resp = client.get("/needs-action/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_header_links_the_page_for_members_only(client, web):
    assert 'href="/needs-action/"' in web.get("/units/").content.decode()
    client.logout()
    assert 'href="/needs-action/"' not in client.get("/units/").content.decode()


def test_page_lists_what_to_do_and_forgets_it_once_done(web, member, tree):
    poll = open_poll(tree["branch"], member, hours=30)
    html = web.get("/needs-action/").content.decode()
    assert "Vote before " in html
    assert f'href="/polls/{poll.pk}/"' in html
    assert poll.title in html
    assert 'name="days"' in html  # the window is a plain GET form
    vote(poll, member)
    html = web.get("/needs-action/").content.decode()
    assert f'href="/polls/{poll.pk}/"' not in html
    assert "Nothing waits for you right now." in html


def test_page_window_is_a_query_parameter(web, member, tree):
    poll = open_poll(tree["branch"], member, hours=24 * 10)
    assert f'href="/polls/{poll.pk}/"' not in web.get("/needs-action/").content.decode()
    html = web.get("/needs-action/?days=14").content.decode()
    assert f'href="/polls/{poll.pk}/"' in html
    assert web.get("/needs-action/?days=zero").status_code == 400
    assert web.get("/needs-action/?days=99").status_code == 400


def test_page_orders_by_deadline(web, member, other_member, tree):
    later = open_poll(tree["branch"], member, hours=60, question="Senare frågan?")
    backers = [MemberFactory(units=[tree["branch"]]) for _ in range(3)]
    support = proposal_near_quorum(tree["branch"], other_member, backers, days_left=1)
    sooner = open_poll(tree["branch"], member, hours=2, question="Snart frågan?")
    html = web.get("/needs-action/").content.decode()
    positions = [
        html.index(f'href="/polls/{sooner.pk}/"'),
        html.index(f'href="/proposals/{support.pk}/"'),
        html.index(f'href="/polls/{later.pk}/"'),
    ]
    assert positions == sorted(positions)


def test_page_in_swedish(web, member, tree):
    open_poll(tree["branch"], member, hours=3)
    web.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    html = web.get("/needs-action/").content.decode()
    assert "Att göra" in html
    assert "Rösta före " in html
    assert " i dag" in html or "i morgon " in html


def test_home_shows_the_actions_not_frozen_or_voting_proposals(
    web, member, other_member, tree
):
    backers = [MemberFactory(units=[tree["branch"]]) for _ in range(3)]
    near = proposal_near_quorum(tree["branch"], other_member, backers)
    frozen = proposals.create_proposal(
        actor=other_member,
        title="Fruset förslag om parker",
        unit=tree["branch"],
        publish=True,
    )
    Proposal.objects.filter(pk=frozen.pk).update(
        state="frozen", phase_ends=timezone.now() + timedelta(days=2)
    )
    thread = create_thread(title="Vårmötet", unit=tree["branch"], actor=member)
    mine = post_comment(thread=thread, author=member, body="Vad tycker ni?")
    post_comment(thread=thread, author=other_member, body="Bra!", parent=mine)
    page = web.get("/").content.decode()
    assert "Proposals that need you" not in page
    start = page.index('id="needs-action-h"')
    html = page[start : page.index("</section>", start)]  # the block only
    assert "Waiting for you" in html
    assert f'href="/proposals/{near.pk}/"' in html
    assert "Support — 1 more needed" in html
    assert f"Reply to {other_member.display_name}" in html
    assert "Fruset förslag om parker" not in html  # (the audit block may name it)
    assert 'href="/needs-action/"' in html


def test_home_block_is_capped_and_links_to_everything(web, member, tree):
    for i in range(8):
        open_poll(tree["branch"], member, hours=5 + i, question=f"Fråga nummer {i}?")
    html = web.get("/").content.decode()
    assert len(POLL_LINK.findall(html)) == 6
    assert "Everything that waits for you (8)" in html
    assert len(POLL_LINK.findall(web.get("/needs-action/").content.decode())) == 8
