"""Members' support: reaching the quorum moves a proposal to discussion, once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member

from .. import hooks, permissions
from ..models import SUPPORTABLE_STATES, Cause, Proposal, State, Support
from ..selectors import policy_for_unit
from ._common import _transition, count_support, record_proposal_event, uncount_support
from .climbing import climb_if_due, supporter_unit_id
from .locks import lock_proposal


def _support_payload(proposal: Proposal) -> dict:
    return {
        "support_count": proposal.support_count,
        "support_needed": proposal.support_needed,
        "state": proposal.state,
        "phase_ends": proposal.phase_ends.isoformat() if proposal.phase_ends else None,
        "days_left": proposal.days_left,
    }


@transaction.atomic
def support_proposal(*, proposal: Proposal | int, member: Member) -> Proposal:
    """Add the member's support. Enough spread climbs the proposal to its parent
    unit (`climbing.py`); reaching the quorum moves it to discussion at once —
    exactly once, because the proposal row is locked while counting and the
    database refuses a second support (one_support_per_member)."""
    proposal = lock_proposal(proposal)
    if proposal.state == State.DRAFT:
        raise Conflict(
            _("A draft cannot be supported until it is published."), code="draft"
        )
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("This proposal is %(state)s and no longer takes support.")
            % {"state": proposal.get_state_display().lower()},
            code="closed",
        )
    if not permissions.can_support(member, proposal):
        raise NotAllowed(
            _(
                "Only members of %(unit)s (or of units below it) can support "
                "this proposal."
            )
            % {"unit": permissions.reach_unit_name(proposal)}
        )
    count_support(
        row=proposal,
        support=Support(
            proposal=proposal,
            member=member,
            unit_id=supporter_unit_id(member, proposal),
        ),
        already=_("You already support this proposal."),
    )
    climb_if_due(proposal, at=timezone.now())
    if (
        proposal.state == State.GATHERING_SUPPORT
        and proposal.support_count >= proposal.support_needed
    ):
        now = timezone.now()
        policy = proposal.policy or policy_for_unit(proposal.unit)
        _transition(
            proposal,
            State.DISCUSSION,
            at=now,
            cause=Cause.SUPPORT,
            phase_ends=now + timedelta(days=policy.discussion_days),
        )
    record_proposal_event(
        proposal, "proposal.support_changed", _support_payload(proposal)
    )
    hooks.support_counted(proposal=proposal)
    return proposal


@transaction.atomic
def withdraw_support(*, proposal: Proposal | int, member: Member) -> Proposal:
    """Take support back. A proposal that already reached discussion stays there."""
    proposal = lock_proposal(proposal)
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("This proposal no longer takes or gives back support."), code="closed"
        )
    uncount_support(
        row=proposal,
        supports=Support.objects.filter(proposal=proposal, member=member),
        missing=_("You do not support this proposal."),
    )
    record_proposal_event(
        proposal, "proposal.support_changed", _support_payload(proposal)
    )
    return proposal
