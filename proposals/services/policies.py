"""A unit's own proposal policy (quorum and phase lengths), changed by its
administrators and logged in the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import NotAllowed, ServiceError
from deliberation.members.models import Member, Unit

from .. import permissions
from ..models import Policy
from ..selectors import policy_for_unit


def ensure_default_policy(*, using: str = "default") -> Policy:
    """The default policy row, created when missing (after `migrate`, and when a
    proposal is published and none is stored). The database keeps it unique
    (`one_default_policy`); get_or_create re-reads on a race."""
    policy, _created = Policy.objects.using(using).get_or_create(
        is_default=True, unit=None
    )
    return policy


POLICY_FIELDS = [
    "admission_quorum",
    "support_days",
    "discussion_days",
    "freeze_days",
    "voting_days",
    "majority",
    "turnout_quorum",
    "ballot",
    "delegation_allowed",
    "delegation_cap",
    "delegation_days",
    "amendment_quorum",
]


@transaction.atomic
def set_unit_policy(
    *, actor: Member, unit: Unit, reason: str = "", **values: object
) -> Policy:
    """Create or change a unit's own policy (administrators), logged in the audit log.
    Proposals already published keep the quorum they were given."""
    if not permissions.can_edit_policy(actor, unit):
        raise NotAllowed(_("Only administrators of this unit can change its policy."))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError(
            _("Unknown policy fields: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    policy = Policy.objects.select_for_update().filter(unit=unit).first()
    base = policy or policy_for_unit(unit)
    before = {f: str(getattr(base, f)) for f in POLICY_FIELDS}
    if policy is None:
        policy = Policy(unit=unit, **{f: getattr(base, f) for f in POLICY_FIELDS})
    for field, value in values.items():
        setattr(policy, field, value)
    policy.updated_by = actor
    policy.full_clean(exclude=["unit"])
    policy.save()
    after = {f: str(getattr(policy, f)) for f in POLICY_FIELDS}
    changed = {f: [before[f], after[f]] for f in POLICY_FIELDS if before[f] != after[f]}
    record_audit(
        actor=actor,
        action="policy.updated",
        unit=unit,
        target=policy,
        summary=_("Changed the proposal policy of %(unit)s") % {"unit": unit.name},
        reason=reason,
        data={"changed": changed},
    )
    return policy
