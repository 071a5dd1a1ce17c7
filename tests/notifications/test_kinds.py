"""The kinds raised by proposals and voting reach the right members, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.discussions.services import post_comment
from deliberation.notifications.models import Notification
from deliberation.notifications.services import follow
from proposals import services as proposal_services
from proposals.models import Topic
from tests.factories import MemberFactory
from tests.voting.conftest import answers_for, past_close
from voting import closing, services
from voting.notifying import remind_closing

pytestmark = pytest.mark.django_db


def kinds(member) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_new_proposal_to_followers_of_its_unit_and_topic(
    deliver, tree, member, other_member, outsider
):
    topic = Topic.objects.create(name="Trafik", slug="trafik")
    follow(member=other_member, target_kind="unit", target_id=tree["branch"].pk)
    follow(member=outsider, target_kind="topic", target_id=topic.pk)
    draft = deliver(
        proposal_services.create_proposal,
        actor=member,
        title="Cykelbanor",
        clauses=["att vi"],
        unit=tree["branch"],
        topics=[topic],
    )
    assert kinds(other_member) == kinds(outsider) == []  # a draft tells nobody
    deliver(proposal_services.publish_proposal, proposal=draft, actor=member)
    assert kinds(other_member) == ["proposal_new"]
    assert kinds(outsider) == ["proposal_new"]
    assert kinds(member) == []  # the author did it


def test_quorum_and_state_changes_to_authors_and_commenters(
    deliver, tree, member, other_member
):
    p = deliver(
        proposal_services.create_proposal,
        actor=member,
        title="Fler träd i parken",
        clauses=["att vi"],
        unit=tree["branch"],
        publish=True,
    )
    commenter = MemberFactory(units=[tree["branch"]])
    deliver(post_comment, thread=p.thread, author=commenter, body="Bra!")
    deliver(proposal_services.support_proposal, proposal=p, member=other_member)
    assert kinds(member) == ["quorum_reached"]
    assert kinds(commenter) == ["quorum_reached"]
    deliver(proposal_services.withdraw_proposal, proposal=p, actor=member)
    assert kinds(commenter) == ["quorum_reached", "proposal_state"]
    n = Notification.objects.filter(recipient=commenter).order_by("id").last()
    assert n.event.data["state"] == "withdrawn"


def test_poll_opened_closing_reminder_and_result(deliver, tree, member):
    roll = [MemberFactory(units=[tree["branch"]]) for _ in range(3)]
    poll = deliver(
        services.create_advisory_poll,
        actor=member,
        unit=tree["branch"],
        thread=None,
        question="Möte på tisdag?",
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(hours=2),
    )
    for m in roll:
        assert kinds(m) == ["poll_opened"]
    services.cast_ballot(poll=poll, member=roll[0], payload=answers_for(poll))
    deliver(remind_closing)
    deliver(remind_closing)  # beat twice: once
    assert kinds(roll[0]) == ["poll_opened"]  # voted: no reminder
    assert kinds(roll[1]) == ["poll_opened", "poll_closing"]
    past_close(poll)
    deliver(closing.close_poll, poll=poll.pk)
    assert kinds(roll[1]) == ["poll_opened", "poll_closing", "poll_result"]
    outsider = MemberFactory(units=[tree["branch2"]])
    assert kinds(outsider) == []
