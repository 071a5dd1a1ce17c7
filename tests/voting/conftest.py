from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from proposals import services as proposal_services
from proposals.models import Proposal
from tests.factories import MemberFactory
from voting import services
from voting.models import Poll


def _past(proposal: Proposal) -> None:
    Proposal.objects.filter(Q(pk=proposal.pk) | Q(alternative_to=proposal.pk)).update(
        phase_ends=timezone.now() - timedelta(seconds=5)
    )


def to_vote(proposal: Proposal, *, supporter) -> Proposal:
    """Walk a published proposal to `voting` through the real services (support,
    then the schedule twice), which opens its poll through the hook."""
    proposal.refresh_from_db()
    if proposal.state == "gathering_support":
        proposal_services.support_proposal(proposal=proposal, member=supporter)
    for _ in range(2):
        _past(proposal)
        proposal_services.advance_due_proposals()
    proposal.refresh_from_db()
    assert proposal.state == "voting", proposal.state
    return proposal


@pytest.fixture
def voters(tree):
    def make(n: int, unit=None):
        return [MemberFactory(units=[unit or tree["branch"]]) for _ in range(n)]

    return make


@pytest.fixture
def proposal_poll(tree, member, other_member):
    """A proposal with two clauses, in the vote, with its poll."""

    def make(*, clauses=("att vi bygger cykelbanor", "att vi planterar träd")):
        proposal = proposal_services.create_proposal(
            actor=member,
            title="Fler cykelbanor i staden",
            body="Motivering.",
            clauses=list(clauses),
            unit=tree["branch"],
            publish=True,
        )
        to_vote(proposal, supporter=other_member)
        return Poll.objects.get(proposals=proposal)

    return make


@pytest.fixture
def advisory(tree, member):
    def make(*, method="yes_no_abstain", options=None, ballot="secret", hours=2):
        return services.create_advisory_poll(
            actor=member,
            unit=tree["branch"],
            thread=None,
            question="Ska vi ha möte på tisdag?",
            method=method,
            options=options,
            ballot=ballot,
            closes=timezone.now() + timedelta(hours=hours),
        )

    return make


def past_close(poll: Poll) -> Poll:
    """As if the closing time had passed."""
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(
        opens=now - timedelta(hours=3), closes=now - timedelta(seconds=1)
    )
    poll.refresh_from_db()
    return poll


def answers_for(poll: Poll, choice: str = "yes", ranking=None) -> dict:
    out = []
    for q in poll.questions.order_by("position").prefetch_related("options"):
        if q.kind == "ranked":
            ids = [o.pk for o in q.options.order_by("position")]
            out.append({"question": q.pk, "ranking": ranking or ids})
        else:
            out.append({"question": q.pk, "choice": choice})
    return {"answers": out}
