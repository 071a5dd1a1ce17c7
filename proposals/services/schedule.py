"""The schedule: proposals move on when their phase ends (`advance_due_proposals`,
run by the beat), and the voting area records the result."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import Conflict
from deliberation.members.models import Member

from ..models import Amendment, AmendmentState, Cause, Proposal, ProposalKind, State
from ..selectors import policy_for_unit
from ._common import _transition
from .locks import lock_proposal
from .policies import adopt_rule_proposal

logger = logging.getLogger(__name__)


BATCH = 100


def _advance_one(proposal: Proposal) -> None:
    """One scheduled step of a locked, due proposal, dated at its scheduled time."""
    at = proposal.phase_ends
    if at is None:  # not on a schedule: never due (advance_due_proposals filters)
        return
    policy = proposal.policy or policy_for_unit(proposal.unit)
    if proposal.state == State.GATHERING_SUPPORT:
        _transition(proposal, State.EXPIRED, at=at, cause=Cause.SCHEDULE)
    elif proposal.state == State.DISCUSSION:
        _transition(
            proposal,
            State.FROZEN,
            at=at,
            cause=Cause.SCHEDULE,
            phase_ends=at + timedelta(days=policy.freeze_days),
        )
        _settle_amendments(proposal, at=at)
    elif proposal.state == State.FROZEN:
        _transition(
            proposal,
            State.VOTING,
            at=at,
            cause=Cause.SCHEDULE,
            phase_ends=at + timedelta(days=policy.voting_days),
        )


def advance_due_proposals(*, now: datetime | None = None) -> int:
    """Move every proposal whose phase has ended, one step at a time, until none is
    due (catch-up after downtime walks through each missed phase, dated when it was
    scheduled). Safe with several workers: rows locked by another run are skipped and
    each batch re-reads the state under lock. A proposal that cannot move (its data
    is inconsistent) is logged and left for a person, without blocking the others.
    Returns the number of steps taken."""
    now = now or timezone.now()
    steps = 0
    stuck: set[int] = set()
    while True:
        with transaction.atomic():
            batch = list(
                Proposal.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    state__in=[State.GATHERING_SUPPORT, State.DISCUSSION, State.FROZEN],
                    phase_ends__lte=now,
                )
                .exclude(pk__in=stuck)
                .select_related("unit", "policy")
                .order_by("phase_ends", "id")[:BATCH]
            )
            if not batch:
                return steps
            for proposal in batch:
                try:
                    with transaction.atomic():
                        _advance_one(proposal)
                except Exception:
                    logger.exception(
                        "proposal %s could not move on schedule", proposal.pk
                    )
                    stuck.add(proposal.pk)
                else:
                    steps += 1


@transaction.atomic
def record_vote_outcome(
    *,
    proposal: Proposal,
    adopted: bool,
    at: datetime | None = None,
    actor: Member | None = None,
    adopted_clauses: list[int] | None = None,
) -> Proposal:
    """voting → adopted | rejected. Called by the voting area when it has the result;
    the schedule never ends a vote by itself. An adopted rule proposal's adopted
    clauses (`adopted_clauses`, 1-based; None: all) become a new policy version."""
    proposal = lock_proposal(proposal)
    if proposal.state != State.VOTING:
        raise Conflict(_("Only a proposal being voted on can get a result."))
    at = at or timezone.now()
    _transition(
        proposal,
        State.ADOPTED if adopted else State.REJECTED,
        at=at,
        cause=Cause.RESULT,
        actor=actor,
    )
    if adopted and proposal.kind == ProposalKind.RULES:
        adopt_rule_proposal(proposal=proposal, adopted_clauses=adopted_clauses, at=at)
    return proposal


def _settle_amendments(proposal: Proposal, *, at: datetime) -> None:
    """At the freeze, open amendments with enough support go to the vote beside the
    proposal; the others lapse."""
    open_ = Amendment.objects.filter(proposal=proposal, state=AmendmentState.OPEN)
    open_.filter(support_count__gte=F("support_needed")).update(
        state=AmendmentState.TO_VOTE, decided_at=at
    )
    open_.update(state=AmendmentState.LAPSED, decided_at=at)
