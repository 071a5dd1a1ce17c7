"""Ideas climb (docs/flat.md): when members of enough sibling units support a
proposal and together reach the parent unit's own quorum, the proposal moves up to
the parent — no board forwards it. It keeps its text, history, thread and
supporters; from then on it counts the parent's members. Every climb is a `Climb`
row (never two per level: the constraints), an audit entry, a `proposal.climbed`
event on its thread and a `proposal_climbed` notification to its followers.

Always called with the proposal row locked (`support_proposal`), so supports that
arrive meanwhile wait and are counted once, at the level the proposal is at then;
a withdrawn support (same lock) that takes it below the threshold first stops it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict
from deliberation.members.models import Member, Membership, Unit
from deliberation.members.selectors import subtree_member_count
from deliberation.notifications.emit import notify

from ..models import CLIMBING_STATES, Cause, Climb, Policy, Proposal, State, Support
from ..selectors import policy_for_unit
from ._common import _transition, record_proposal_event

MAX_CLIMBS = 8  # deeper than any tree: a guard, not a rule


def reach_path(unit: Unit) -> str:
    """The path of the subtree whose members may support a proposal at `unit`: its
    parent's ("we want this here as well"), or its own at the top."""
    ids = unit.ancestor_ids
    if len(ids) < 2:
        return unit.path
    return "/" + "/".join(str(i) for i in ids[:-1]) + "/"


def supporter_unit_id(member: Member, proposal: Proposal) -> int | None:
    """The unit a support is counted from: the member's deepest current unit inside
    the proposal's reach (the lowest id on a tie)."""
    return (
        Membership.objects.current()
        .filter(member=member, unit__path__startswith=reach_path(proposal.unit))
        .order_by("-unit__depth", "unit_id")
        .values_list("unit_id", flat=True)
        .first()
    )


def units_with_support(proposal: Proposal, parent: Unit) -> int:
    """How many child units of `parent` have supporters of the proposal (its own
    unit counting as one). One query."""
    supported = Support.objects.filter(
        proposal=proposal, unit__path__startswith=OuterRef("path")
    )
    return Unit.objects.filter(parent=parent).filter(Exists(supported)).count()


def required_units(policy: Policy, parent: Unit) -> int:
    """The parent policy's `climb_units`, or all of the parent's child units when it
    has fewer (a municipality of two branches needs both, not an impossible three) —
    but never fewer than two: a climb is an idea spreading beyond its own unit, so a
    parent with a single child unit is not climbed into by that unit's members alone
    (unless the parent's policy sets `climb_units` to 1)."""
    if policy.climb_units <= 1:
        return 1
    children = Unit.objects.filter(parent=parent).count()
    return max(2, min(policy.climb_units, children))


def _parent(unit: Unit) -> Unit | None:
    return Unit.objects.filter(pk=unit.parent_id).first() if unit.parent_id else None


def climb_if_due(proposal: Proposal, *, at: datetime) -> list[Climb]:
    """Climb the locked proposal as far as its support carries it now."""
    climbs: list[Climb] = []
    for _i in range(MAX_CLIMBS):
        if proposal.state not in CLIMBING_STATES:
            break
        parent = _parent(proposal.unit)
        if parent is None:
            break
        policy = policy_for_unit(parent)
        if not proposal.support_count:
            break
        units = units_with_support(proposal, parent)
        if units < required_units(policy, parent):
            break
        eligible = subtree_member_count(parent)
        needed = policy.needed(eligible)
        if proposal.support_count < needed:
            break
        climbs.append(
            _climb(
                proposal,
                to=parent,
                policy=policy,
                eligible=eligible,
                needed=needed,
                units=units,
                at=at,
            )
        )
    return climbs


def _climb(
    proposal: Proposal,
    *,
    to: Unit,
    policy: Policy,
    eligible: int,
    needed: int,
    units: int,
    at: datetime,
) -> Climb:
    from_unit = proposal.unit
    try:
        with transaction.atomic():
            climb = Climb.objects.create(
                proposal=proposal,
                from_unit=from_unit,
                to_unit=to,
                at=at,
                support_count=proposal.support_count,
                support_needed=needed,
                units=units,
            )
    except IntegrityError as exc:
        raise Conflict(_("This proposal has already climbed to this unit.")) from exc
    proposal.unit = to
    proposal.eligible_count = eligible
    proposal.support_needed = needed
    if policy.pk is not None:  # from now on it follows the rules of its new unit
        proposal.policy = policy
    proposal.save(
        update_fields=["unit", "eligible_count", "support_needed", "policy", "updated"]
    )
    discussion_ends = at + timedelta(days=policy.discussion_days)
    if proposal.state == State.GATHERING_SUPPORT:
        # The climb reached the parent's own quorum: admitted there.
        _transition(
            proposal,
            State.DISCUSSION,
            at=at,
            cause=Cause.CLIMBED,
            phase_ends=discussion_ends,
        )
    else:
        # Already in discussion: the new unit's members get a full discussion.
        proposal.phase_ends = discussion_ends
        proposal.save(update_fields=["phase_ends", "updated"])
    data = {
        "from": from_unit.pk,
        "to": to.pk,
        "from_name": from_unit.name,
        "to_name": to.name,
        "support_count": proposal.support_count,
        "support_needed": needed,
        "units": units,
    }
    record_audit(
        actor=None,
        action="proposal.climbed",
        unit=to,
        target=proposal,
        at=at,
        summary=f"#{proposal.pk}: {from_unit.name} → {to.name}",
        data=data,
    )
    record_proposal_event(
        proposal,
        "proposal.climbed",
        data
        | {
            "at": at.isoformat(),
            "state": proposal.state,
            "eligible_count": eligible,
            "phase_ends": proposal.phase_ends.isoformat()
            if proposal.phase_ends
            else None,
        },
    )
    notify(
        "proposal_climbed",
        subject=proposal,
        actor=None,
        followers_of=[proposal],
        key=f"proposal_climbed:{proposal.pk}:{to.pk}",
        data=data | {"title": proposal.title, "proposal": proposal.pk},
    )
    return climb
