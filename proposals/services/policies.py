"""Policy versions (docs/flat.md). The rules belong to the members: a rule proposal
adopted by vote makes a new version (`adopt_rule_proposal`). Administrators keep a
bootstrapping power (a unit's first own rules) and an emergency power: their change
is public, names its reason, and lapses after POLICY_EMERGENCY_DAYS unless a rule
proposal confirms it. Versions are never edited, so a running proposal keeps the
rules it was published under."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import NotAllowed, ServiceError
from deliberation.members.models import Member, Unit

from .. import permissions
from ..models import Policy, PolicySource, Proposal
from ..rules import RULE_FIELDS, parse_value
from ..selectors import own_policy, policy_for_unit


def ensure_default_policy(*, using: str = "default") -> Policy:
    """The default policy row, created when missing (after `migrate`, and when a
    proposal is published and none is stored). The database keeps it unique
    (`one_default_policy`); get_or_create re-reads on a race."""
    policy, _created = Policy.objects.using(using).get_or_create(
        is_default=True, unit=None, defaults={"source": PolicySource.DEFAULT}
    )
    return policy


# What administrators may set through the policy form and API.
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
VERSIONED_FIELDS = list(dict.fromkeys([*POLICY_FIELDS, *RULE_FIELDS]))


def _values(policy: Policy) -> dict[str, object]:
    return {f: getattr(policy, f) for f in VERSIONED_FIELDS}


def _new_version(
    *,
    unit: Unit,
    base: Policy,
    values: dict[str, object],
    source: str,
    at: datetime,
    reason: str = "",
    actor: Member | None = None,
    adopted_by: Proposal | None = None,
    vote_result: dict | None = None,
    lapses_at: datetime | None = None,
) -> Policy:
    """A new version of the unit's own rules: the base's values with `values` on top.
    The unit's versions are serialised by locking the unit row."""
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    last = Policy.objects.filter(unit=unit).order_by("-version").first()
    before = {f: str(v) for f, v in _values(base).items()}
    policy = Policy(
        unit=unit,
        **_values(base),
        version=(last.version + 1) if last else 1,
        effective_from=at,
        source=source,
        reason=reason,
        adopted_by=adopted_by,
        vote_result=vote_result or {},
        lapses_at=lapses_at,
        updated_by=actor,
    )
    for field, value in values.items():
        setattr(policy, field, value)
    policy.full_clean(exclude=["unit", "adopted_by", "confirmed_by"])
    after = {f: str(getattr(policy, f)) for f in VERSIONED_FIELDS}
    policy.changes = {
        f: [before[f], after[f]] for f in VERSIONED_FIELDS if before[f] != after[f]
    }
    policy.save()
    return policy


@transaction.atomic
def set_unit_policy(
    *, actor: Member, unit: Unit, reason: str = "", **values: object
) -> Policy:
    """Administrators: the unit's first own rules (bootstrapping), or an emergency
    change that names its reason and lapses unless a rule proposal confirms it.
    Logged in the audit log; proposals already published keep their version."""
    if not permissions.can_edit_policy(actor, unit):
        raise NotAllowed(_("Only administrators of this unit can change its policy."))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError(
            _("Unknown policy fields: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    now = timezone.now()
    bootstrap = not Policy.objects.filter(unit=unit).exists()
    reason = (reason or "").strip()
    if not bootstrap and not reason:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "An emergency change of the rules must say why: the members "
                        "see the reason, and the change lapses unless they confirm it."
                    )
                ]
            }
        )
    lapses_at = (
        None if bootstrap else now + timedelta(days=settings.POLICY_EMERGENCY_DAYS)
    )
    policy = _new_version(
        unit=unit,
        base=policy_for_unit(unit, now),
        values=values,
        source=PolicySource.BOOTSTRAP if bootstrap else PolicySource.EMERGENCY,
        at=now,
        reason=reason,
        actor=actor,
        lapses_at=lapses_at,
    )
    record_audit(
        actor=actor,
        action="policy.updated",
        unit=unit,
        target=policy,
        summary=_("Changed the proposal policy of %(unit)s") % {"unit": unit.name},
        reason=reason,
        data={
            "changed": policy.changes,
            "version": policy.version,
            "source": policy.source,
            "lapses_at": lapses_at.isoformat() if lapses_at else None,
        },
    )
    return policy


def adopt_rule_proposal(
    *, proposal: Proposal, adopted_clauses: list[int] | None, at: datetime
) -> Policy | None:
    """Called (inside the transaction) when a rule proposal is adopted: its adopted
    clauses (numbers, 1-based; None: all) become a new version of its unit's rules,
    in force from the stated time (never before the vote closed). Emergency changes
    whose every change this version keeps are confirmed."""
    numbers = (
        set(adopted_clauses)
        if adopted_clauses is not None
        else set(range(1, len(proposal.rule_changes) + 1))
    )
    changes = {
        change["field"]: parse_value(change["field"], change["value"])
        for number, change in enumerate(proposal.rule_changes, 1)
        if number in numbers
    }
    if not changes:
        return None
    # in force from the stated time, never before the adoption is recorded (a result
    # counted late after downtime takes effect when it is counted), on top of the
    # rules as they are then
    now = timezone.now()
    effective = max(proposal.rules_effective_from or now, now)
    policy = _new_version(
        unit=proposal.unit,
        base=policy_for_unit(proposal.unit, effective),
        values=changes,
        source=PolicySource.RULES_VOTE,
        at=effective,
        reason=proposal.title,
        adopted_by=proposal,
        vote_result={"clauses": sorted(numbers)},
    )
    _confirm_emergencies(policy, at=max(at, now))
    record_audit(
        actor=None,
        action="policy.adopted",
        unit=proposal.unit,
        target=policy,
        summary=_("The members adopted new rules for %(unit)s")
        % {"unit": proposal.unit.name},
        data={
            "changed": policy.changes,
            "version": policy.version,
            "proposal": proposal.pk,
            "effective_from": effective.isoformat(),
        },
    )
    return policy


def _confirm_emergencies(policy: Policy, *, at: datetime) -> None:
    pending = Policy.objects.filter(
        unit=policy.unit_id,
        source=PolicySource.EMERGENCY,
        confirmed_at__isnull=True,
        lapses_at__gt=at,
    ).exclude(pk=policy.pk)
    for emergency in pending:
        kept = all(
            str(getattr(policy, field)) == after
            for field, (_before, after) in emergency.changes.items()
        )
        if kept:
            emergency.confirmed_at = at
            emergency.confirmed_by = policy.adopted_by
            emergency.save(update_fields=["confirmed_at", "confirmed_by"])


def record_lapsed_policies(now: datetime | None = None) -> int:
    """Beat: note in the audit log each emergency change that lapsed (it already no
    longer applies: `policy_for_unit` skips it from `lapses_at` on). Idempotent."""
    now = now or timezone.now()
    count = 0
    due = Policy.objects.filter(
        source=PolicySource.EMERGENCY,
        confirmed_at__isnull=True,
        lapsed_at__isnull=True,
        lapses_at__lte=now,
    ).select_related("unit")
    for policy in due:
        with transaction.atomic():
            updated = Policy.objects.filter(
                pk=policy.pk, lapsed_at__isnull=True
            ).update(lapsed_at=now)
            if not updated:
                continue
            unit = policy.unit
            if unit is None:  # only unit versions lapse
                continue
            current = own_policy(unit, now)
            record_audit(
                actor=None,
                action="policy.lapsed",
                unit=unit,
                target=policy,
                summary=_("An emergency change of the rules of %(unit)s lapsed")
                % {"unit": unit.name},
                data={
                    "version": policy.version,
                    "now_in_force": current.version if current else None,
                },
            )
            count += 1
    return count
