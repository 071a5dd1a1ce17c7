"""Each kind of "needs my action" item appears when it should and goes away after
the action (support given, invitation answered, reply written, session over), and
never points at what the member may not read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.discussions.models import LiveSession
from deliberation.discussions.services import (
    appeal_hiding,
    close_live_session,
    create_thread,
    decide_appeal,
    delete_comment,
    flag_comment,
    hide_comment,
    post_comment,
    schedule_live_session,
)
from proposals import services as proposals
from proposals.models import Proposal
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role

from .needs_action_helpers import items, kinds, proposal_near_quorum

pytestmark = pytest.mark.django_db


@pytest.fixture
def supporters(tree):
    return [MemberFactory(units=[tree["branch"]]) for _ in range(3)]


# --- support ---------------------------------------------------------------------


def test_proposal_near_quorum_asks_for_support_until_given(
    api, member, other_member, tree, supporters
):
    proposal = proposal_near_quorum(tree["municipality"], other_member, supporters)
    [item] = items(api)
    assert item["kind"] == "support"
    assert item["object"] == {"type": "proposal", "id": proposal.pk}
    assert item["action"] == "Support — 1 more needed"
    assert item["url"] == f"/proposals/{proposal.pk}/"
    assert item["deadline"] == proposal.phase_ends.isoformat()
    resp = api.post(f"/api/v1/proposals/{proposal.pk}/support/")
    assert resp.status_code in (200, 201), resp.content
    assert items(api) == []


def test_support_says_how_many_more_are_needed(api, other_member, tree, supporters):
    proposal_near_quorum(
        tree["branch"], other_member, supporters, needed=8, days_left=2
    )
    [item] = items(api)
    assert item["action"] == "Support — 5 more needed"


def test_far_from_quorum_and_far_from_its_end_is_not_asked(
    api, other_member, tree, supporters
):
    proposal = proposal_near_quorum(
        tree["branch"], other_member, supporters[:1], needed=10, days_left=20
    )
    assert items(api) == []
    # ... until its support period ends within the window
    Proposal.objects.filter(pk=proposal.pk).update(
        phase_ends=timezone.now() + timedelta(days=3)
    )
    assert kinds(api) == [("support", "proposal", proposal.pk)]


def test_support_is_not_asked_of_authors_nor_outside_the_unit(
    api, member, tree, supporters
):
    mine = proposal_near_quorum(tree["branch"], member, supporters)
    assert ("support", "proposal", mine.pk) not in kinds(api)
    elsewhere_author = MemberFactory(units=[tree["branch2"]])
    proposal_near_quorum(
        tree["branch2"],
        elsewhere_author,
        [MemberFactory(units=[tree["branch2"]]) for _ in range(3)],
    )
    assert items(api) == []  # the sibling branch is not the member's


def test_a_draft_is_never_listed(api, other_member, tree):
    draft = proposals.create_proposal(
        actor=other_member, title="Ett utkast om parker", unit=tree["branch"]
    )
    Proposal.objects.filter(pk=draft.pk).update(support_needed=1)
    assert items(api) == []


# --- co-authors and amendments ---------------------------------------------------


def test_coauthor_invitation_is_listed_until_answered(api, member, other_member, tree):
    proposal = proposals.create_proposal(
        actor=other_member,
        title="Gemensamt förslag om bibliotek",
        unit=tree["branch"],
        coauthors=[member],
    )
    [item] = items(api)
    assert item["kind"] == "coauthor"
    assert item["object"] == {"type": "proposal", "id": proposal.pk}
    assert item["deadline"] is None
    proposals.accept_coauthorship(proposal=proposal, member=member)
    assert items(api) == []


def test_amendment_waits_for_the_authors_decision(api, member, other_member, tree):
    proposal = proposals.create_proposal(
        actor=member,
        title="Fler cykelbanor i staden",
        body="Vi vill bygga fler cykelbanor.",
        unit=tree["branch"],
        publish=True,
    )
    amendment = proposals.create_amendment(
        proposal=proposal,
        actor=other_member,
        original="fler",
        replacement="många fler",
    )
    [item] = items(api)
    assert item["kind"] == "amendment"
    assert item["object"] == {"type": "amendment", "id": amendment.pk}
    assert item["url"] == f"/proposals/{proposal.pk}/amendments/{amendment.pk}/"
    # the amendment's author is not asked to decide on it
    assert "amendment" not in [i["kind"] for i in items(client_for(other_member))]
    proposals.accept_amendment(amendment=amendment, actor=member)
    assert items(api) == []


# --- replies ---------------------------------------------------------------------


@pytest.fixture
def thread(tree, member):
    return create_thread(title="Vårmötet", unit=tree["branch"], actor=member)


def test_reply_is_listed_until_the_member_writes_again(
    api, member, other_member, thread
):
    mine = post_comment(thread=thread, author=member, body="Vad tycker ni?")
    reply = post_comment(
        thread=thread, author=other_member, body="Bra idé!", parent=mine
    )
    [item] = items(api)
    assert item["kind"] == "reply"
    assert item["object"] == {"type": "comment", "id": reply.pk}
    assert item["action"] == f"Reply to {other_member.display_name}"
    assert item["url"] == f"/threads/{thread.pk}/?page=1#c-{reply.pk}"
    post_comment(thread=thread, author=member, body="Tack!", parent=reply)
    assert items(api) == []


def test_reply_url_names_the_page_of_its_conversation(
    api, member, other_member, thread
):
    for i in range(21):
        post_comment(
            thread=thread, author=other_member, body=f"Inlägg {i}", enforce_rate=False
        )
    mine = post_comment(thread=thread, author=member, body="Sist men inte minst")
    reply = post_comment(thread=thread, author=other_member, body="Ja", parent=mine)
    [item] = items(api)
    assert item["url"] == f"/threads/{thread.pk}/?page=2#c-{reply.pk}"
    browser = Client()
    browser.force_login(member)
    page = browser.get(item["url"].split("#")[0])
    assert f'id="c-{reply.pk}"' in page.content.decode()


def test_own_old_hidden_and_deleted_replies_are_not_listed(
    api, member, other_member, tree, thread
):
    mine = post_comment(thread=thread, author=member, body="Vad tycker ni?")
    post_comment(thread=thread, author=member, body="Jag själv", parent=mine)
    old = post_comment(thread=thread, author=other_member, body="Gammalt", parent=mine)
    old.__class__.objects.filter(pk=old.pk).update(
        created=timezone.now() - timedelta(days=8)
    )
    hidden = post_comment(thread=thread, author=other_member, body="Dolt", parent=mine)
    moderator = MemberFactory(units=[tree["branch"]])
    give_role(moderator, tree["branch"], "moderator")
    hide_comment(comment=hidden, moderator=moderator, reason="Personangrepp.")
    gone = post_comment(thread=thread, author=other_member, body="Borta", parent=mine)
    delete_comment(comment=gone, actor=other_member)
    assert items(api) == []


def test_reply_in_a_draft_thread_is_gone_for_who_may_no_longer_read_it(
    api, member, other_member, tree
):
    draft = proposals.create_proposal(
        actor=other_member,
        title="Utkast tillsammans",
        unit=tree["branch"],
        coauthors=[member],
    )
    proposals.accept_coauthorship(proposal=draft, member=member)
    mine = post_comment(thread=draft.thread, author=member, body="Mitt förslag")
    post_comment(thread=draft.thread, author=other_member, body="Svar", parent=mine)
    assert [i["kind"] for i in items(api)] == ["reply"]
    # the member leaves the authors: the draft's thread is closed to them
    draft.authorships.filter(member=member).delete()
    assert items(api) == []


# --- live sessions ---------------------------------------------------------------


@pytest.fixture
def facilitator(tree):
    f = MemberFactory(units=[tree["branch"]])
    give_role(f, tree["branch"], "facilitator")
    return f


def test_session_this_week_is_listed_until_it_is_over(api, tree, facilitator):
    starts = timezone.now() + timedelta(days=2)
    session = schedule_live_session(
        unit=tree["branch"], facilitator=facilitator, title="Vårmöte", starts=starts
    )
    [item] = items(api)
    assert item["kind"] == "session"
    assert item["object"] == {"type": "live_session", "id": session.pk}
    assert item["action"].startswith("Join the session ")
    assert item["deadline"] == session.starts.isoformat()
    assert item["url"] == f"/threads/{session.thread_id}/"
    # it starts: now the chance ends when the session does
    now = timezone.now()
    LiveSession.objects.filter(pk=session.pk).update(
        starts=now - timedelta(minutes=5), ends=now + timedelta(minutes=55)
    )
    [item] = items(api)
    assert item["action"] == "Join the session — it is on now"
    session.refresh_from_db()
    assert item["deadline"] == session.ends.isoformat()
    close_live_session(session=session, actor=facilitator, minutes="Vi beslutade.")
    assert items(api) == []


def test_session_next_month_or_in_another_branch_is_not_listed(api, tree, facilitator):
    schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="Höstmöte",
        starts=timezone.now() + timedelta(days=20),
    )
    other = MemberFactory(units=[tree["branch2"]])
    give_role(other, tree["branch2"], "facilitator")
    schedule_live_session(
        unit=tree["branch2"],
        facilitator=other,
        title="Grannmöte",
        starts=timezone.now() + timedelta(days=1),
    )
    assert items(api) == []


# --- moderation ------------------------------------------------------------------


@pytest.fixture
def moderator(tree, member):
    give_role(member, tree["branch"], "moderator")
    return member


def test_flagged_comment_waits_for_a_moderator_until_hidden(
    api, moderator, other_member, tree, thread
):
    comment = post_comment(thread=thread, author=other_member, body="Dumt sagt")
    for _ in range(2):
        flagger = MemberFactory(units=[tree["branch"]])
        flag_comment(comment=comment, member=flagger, reason="Personangrepp")
    [item] = items(api)
    assert item["kind"] == "flag"
    assert item["object"] == {"type": "comment", "id": comment.pk}
    assert item["action"] == "Review the comment — 2 flags"
    assert item["url"] == f"/comments/{comment.pk}/"
    # an ordinary member is not asked; the comment's author neither
    assert "flag" not in [i["kind"] for i in items(client_for(other_member))]
    hide_comment(comment=comment, moderator=moderator, reason="Personangrepp.")
    assert "flag" not in [i["kind"] for i in items(api)]


def test_flag_in_a_unit_not_moderated_is_not_listed(api, moderator, tree):
    elsewhere = create_thread(title="Granntråd", unit=tree["branch2"], actor=None)
    author = MemberFactory(units=[tree["branch2"]])
    comment = post_comment(thread=elsewhere, author=author, body="Dumt sagt")
    flag_comment(
        comment=comment,
        member=MemberFactory(units=[tree["branch2"]]),
        reason="Personangrepp",
    )
    assert items(api) == []


def test_appeal_waits_for_another_moderator_until_decided(
    api, moderator, other_member, tree, thread
):
    hider = MemberFactory(units=[tree["branch"]])
    give_role(hider, tree["branch"], "moderator")
    comment = post_comment(thread=thread, author=other_member, body="Dumt sagt")
    hide_comment(comment=comment, moderator=hider, reason="Personangrepp.")
    appeal = appeal_hiding(comment=comment, author=other_member, reason="Det var inte")
    [item] = items(api)
    assert item["kind"] == "appeal"
    assert item["object"] == {"type": "appeal", "id": appeal.pk}
    assert item["action"] == f"Decide the appeal of {other_member.display_name}"
    # not the moderator who hid it
    assert "appeal" not in [i["kind"] for i in items(client_for(hider))]
    decide_appeal(
        appeal=appeal, moderator=moderator, outcome="granted", reason="Rimligt."
    )
    assert items(api) == []
