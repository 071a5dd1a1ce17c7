"""The demo data tells a possible story: each proposal's phases are dated in order
(published, discussion, frozen, voting, result), and so are its state changes, its
audit entries and its poll."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from deliberation.audit.models import AuditEntry
from proposals.models import Proposal, StateChange
from voting.models import Poll

pytestmark = pytest.mark.django_db(transaction=True)

PHASES = [
    "published_at",
    "discussion_started_at",
    "frozen_at",
    "voting_started_at",
    "closed_at",
]


def test_seed_demo_dates_every_proposals_phases_in_order():
    call_command("seed_demo", stdout=StringIO())
    proposals = list(Proposal.objects.exclude(published_at=None))
    assert len({p.state for p in proposals}) >= 6, "the demo walks through the states"
    for p in proposals:
        dates = [getattr(p, f) for f in PHASES if getattr(p, f) is not None]
        assert dates == sorted(dates), (p.title, p.state, dates)
        assert p.created <= dates[0], p.title
        changes = list(
            StateChange.objects.filter(proposal=p)
            .order_by("id")
            .values_list("at", flat=True)
        )
        assert changes == sorted(changes), (p.title, changes)
        logged = list(
            AuditEntry.objects.filter(
                action="proposal.state_changed", target_id=str(p.pk)
            )
            .order_by("id")
            .values_list("at", flat=True)
        )
        assert logged == changes, p.title  # every phase change is in the log
    for poll in Poll.objects.exclude(proposal=None).select_related("proposal"):
        started = poll.proposal.voting_started_at
        assert started is not None
        assert started <= poll.closes, poll.title
        if poll.proposal.closed_at:
            assert poll.proposal.closed_at >= started, poll.title


def test_seed_demo_has_a_branch_proposal_that_climbed_to_its_municipality():
    from proposals.demo_climb import TITLE
    from proposals.models import Climb, Support

    call_command("seed_demo", stdout=StringIO())
    p = Proposal.objects.select_related("unit").get(title=TITLE)
    climb = Climb.objects.select_related("from_unit", "to_unit").get(proposal=p)
    assert climb.from_unit.code == "kungsholmen"
    assert climb.to_unit.code == "stockholm-kommun"
    assert p.unit.code == "stockholm-kommun"
    units = set(Support.objects.filter(proposal=p).values_list("unit__code", flat=True))
    assert units == {"kungsholmen", "sodermalm"}  # real supports from both branches
    assert p.published_at < climb.at <= p.phase_ends
    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert Proposal.objects.filter(title=TITLE).count() == 1
    assert Climb.objects.filter(proposal=p).count() == 1
