"""The congress's notifications: the decision to followers and authors, an overdue
answer to followers — once each, rendered in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from congress import services
from congress.models import AnswerRequest, Route
from congress.services.forwarding import forward_proposal
from deliberation.notifications.kinds import kind_for
from deliberation.notifications.models import Notification
from deliberation.notifications.services import follow
from proposals import services as proposal_services
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(congress, tree, member):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Nattåg till norr",
        clauses=["att nattåg går varje dag"],
        unit=tree["national"],
        publish=True,
    )
    return forward_proposal(
        congress=congress, proposal=proposal, route=Route.SUPPORT, at=timezone.now()
    )


def test_the_decision_reaches_followers_and_authors_once(
    item, congress, admin_member, member, tree, django_capture_on_commit_callbacks
):
    follower = MemberFactory(units=[tree["branch2"]])
    follow(member=follower, target_kind="proposal", target_id=item.proposal_id)
    bystander = MemberFactory(units=[tree["branch2"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.record_decision(
            actor=admin_member, congress=congress, item=item, decision="amended"
        )
    notes = Notification.objects.filter(kind="congress_decision")
    assert sorted(n.recipient_id for n in notes) == sorted([member.pk, follower.pk])
    assert not notes.filter(recipient=bystander).exists()
    with override("sv"):
        text = kind_for("congress_decision").render(notes[0].event, follower).text
    assert "Nattåg till norr" in text
    assert "Antagen med ändringar" in text


def test_an_overdue_answer_tells_the_followers_once(
    item, tree, member, django_capture_on_commit_callbacks
):
    follower = MemberFactory(units=[tree["branch2"]])
    follow(member=follower, target_kind="proposal", target_id=item.proposal_id)
    AnswerRequest.objects.filter(item=item).update(
        due=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue_answers() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue_answers() == 0
    notes = Notification.objects.filter(kind="answer_overdue")
    # the author follows their proposal too
    assert sorted(n.recipient_id for n in notes) == sorted([member.pk, follower.pk])
