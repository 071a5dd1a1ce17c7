"""Writes for members, units, memberships and roles. Each use of power is audited."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import NotAllowed, ServiceError

from .models import Member, Membership, Role, RoleAssignment, Unit, UnitKind
from .permissions import can_manage_roles, forget_cached

ALLOWED_PARENT = {
    UnitKind.NATIONAL: None,
    UnitKind.DISTRICT: UnitKind.NATIONAL,
    UnitKind.MUNICIPALITY: UnitKind.DISTRICT,
    UnitKind.BRANCH: UnitKind.MUNICIPALITY,
}


@transaction.atomic
def create_unit(*, name: str, code: str, kind: str, parent: Unit | None = None) -> Unit:
    expected = ALLOWED_PARENT[UnitKind(kind)]
    if (parent.kind if parent else None) != expected:
        raise ServiceError(
            _("A %(kind)s unit must sit under a %(parent)s unit.")
            % {"kind": kind, "parent": expected or "—"}
        )
    unit = Unit.objects.create(name=name, code=code, kind=kind, parent=parent)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


def add_membership(
    *, member: Member, unit: Unit, since: date | None = None
) -> Membership:
    """Idempotent: an open membership is kept as it is."""
    membership, _created = Membership.objects.get_or_create(
        member=member,
        unit=unit,
        until__isnull=True,
        defaults={"since": since or timezone.localdate()},
    )
    forget_cached(member)
    return membership


@transaction.atomic
def grant_role(
    *,
    actor: Member | None,
    member: Member,
    unit: Unit,
    role: str,
    starts: datetime,
    ends: datetime,
    reason: str,
) -> RoleAssignment:
    """Grant a time-limited public role. `actor=None` is the system (import, demo)."""
    if actor is not None and not can_manage_roles(actor, unit):
        raise NotAllowed(_("Only an administrator of this unit may grant roles."))
    if role not in Role.values:
        raise ServiceError(_("Unknown role."), code="unknown_role")
    if ends <= starts:
        raise ServiceError(_("A role must end after it starts."), code="bad_term")
    if not reason.strip():
        raise ServiceError(
            _("Give a reason: it is published in the audit log."),
            code="reason_required",
        )
    assignment = RoleAssignment.objects.create(
        member=member,
        unit=unit,
        role=role,
        starts=starts,
        ends=ends,
        granted_by=actor,
        reason=reason.strip(),
    )
    record_audit(
        actor=actor,
        action="role.granted",
        unit=unit,
        target=assignment,
        summary=f"{member.username} → {role} @ {unit.code} "
        f"({starts:%Y-%m-%d} – {ends:%Y-%m-%d})",
        reason=reason.strip(),
        data={
            "member": member.pk,
            "role": role,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
        },
    )
    forget_cached(member)
    return assignment


@transaction.atomic
def end_role(
    *, actor: Member | None, assignment: RoleAssignment, reason: str
) -> RoleAssignment:
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if actor is not None and not can_manage_roles(actor, assignment.unit):
        raise NotAllowed(_("Only an administrator of this unit may end roles."))
    if assignment.ended_at is not None:
        raise ServiceError(_("This role has already ended."), code="already_ended")
    if not reason.strip():
        raise ServiceError(
            _("Give a reason: it is published in the audit log."),
            code="reason_required",
        )
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    assignment.end_reason = reason.strip()
    assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])
    forget_cached(assignment.member)
    record_audit(
        actor=actor,
        action="role.ended",
        unit=assignment.unit,
        target=assignment,
        summary=(
            f"{assignment.member.username} ✕ {assignment.role} @ {assignment.unit.code}"
        ),
        reason=reason.strip(),
        data={"member": assignment.member_id, "role": assignment.role},
    )
    return assignment


LANGUAGES = ("sv", "en")


def update_profile(
    *, member: Member, full_name: str | None = None, language: str | None = None
) -> Member:
    """A member changes their own name or language (the settings page and
    `PATCH /api/v1/me/`). The e-mail address is not changed here: it is the sign-in
    name and where invitations and password resets go, so it comes from the
    membership roll (`import_members`) or an administrator, never from a session
    alone. `language` "" follows the browser."""
    errors: dict[str, list[str]] = {}
    fields = []
    if full_name is not None:
        full_name = full_name.strip()
        if len(full_name) > 200:
            errors["full_name"] = [_("The name can be at most 200 characters.")]
        member.full_name = full_name
        fields.append("full_name")
    if language is not None:
        if language not in ("", *LANGUAGES):
            errors["language"] = [_("Choose Svenska, English or the browser's.")]
        member.language = language
        fields.append("language")
    if errors:
        raise ValidationError(errors)
    if fields:
        member.save(update_fields=fields)
    return member
