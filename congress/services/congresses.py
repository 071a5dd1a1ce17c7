"""Creating a congress, recording its delegates (audited, public), closing it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member, Unit
from deliberation.members.permissions import is_member_of

from .. import permissions
from ..models import Congress, Delegate
from ._common import clean_optional, lock_congress


def _require_admin(actor: Member) -> None:
    if not permissions.can_manage_congress(actor):
        raise NotAllowed(_("Only administrators of the national level may do this."))


@transaction.atomic
def create_congress(
    *,
    actor: Member,
    name: str,
    starts: date,
    ends: date,
    items_deadline: datetime,
    window_opens: datetime | None = None,
    answer_days: int = 21,
    reason: str = "",
) -> Congress:
    _require_admin(actor)
    name = clean_optional(name, "name", limit=200)
    errors: dict[str, list[str]] = {}
    if len(name) < 3:
        errors["name"] = [_("The name needs at least 3 characters.")]
    if ends < starts:
        errors["ends"] = [_("The congress cannot end before it starts.")]
    window_opens = window_opens or timezone.now()
    if items_deadline <= window_opens:
        errors["items_deadline"] = [
            _("The deadline for items must be after the window opens.")
        ]
    if not 1 <= answer_days <= 365:
        errors["answer_days"] = [_("From 1 to 365 days.")]
    if errors:
        raise ValidationError(errors)
    congress = Congress.objects.create(
        name=name,
        starts=starts,
        ends=ends,
        items_deadline=items_deadline,
        window_opens=window_opens,
        answer_days=answer_days,
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="congress.created",
        summary=_("Congress “%(name)s” created") % {"name": name},
        reason=reason,
        unit=permissions.national_unit(),
        target=congress,
        data={"starts": str(starts), "ends": str(ends)},
    )
    return congress


@transaction.atomic
def record_delegate(
    *, actor: Member, congress: Congress | int, member: Member, unit: Unit, chosen: str
) -> Delegate:
    _require_admin(actor)
    congress = lock_congress(congress)
    if congress.state == "closed":
        raise Conflict(_("The congress is closed."), code="closed")
    chosen = clean_optional(chosen, "chosen", limit=300)
    if not chosen:
        raise ValidationError(
            {"chosen": [_("Say how the delegate was chosen (e.g. by which meeting).")]}
        )
    if not is_member_of(member, unit):
        raise ValidationError(
            {"unit": [_("The delegate must be a member of the unit they represent.")]}
        )
    try:
        with transaction.atomic():
            delegate = Delegate.objects.create(
                congress=congress, member=member, unit=unit, chosen=chosen
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This member is already a delegate of this congress."),
            code="already_delegate",
        ) from exc
    record_audit(
        actor=actor,
        action="congress.delegate_recorded",
        summary=_("%(member)s recorded as delegate of %(unit)s to %(congress)s")
        % {"member": member.display_name, "unit": unit.name, "congress": congress},
        reason=chosen,
        unit=unit,
        target=delegate,
    )
    return delegate


@transaction.atomic
def close_congress(
    *, actor: Member, congress: Congress | int, reason: str = ""
) -> Congress:
    _require_admin(actor)
    congress = lock_congress(congress)
    if congress.closed_at is not None:
        raise Conflict(_("The congress is closed already."), code="closed")
    congress.closed_at = timezone.now()
    congress.save(update_fields=["closed_at"])
    record_audit(
        actor=actor,
        action="congress.closed",
        summary=_("Congress “%(name)s” closed") % {"name": congress.name},
        reason=reason,
        unit=permissions.national_unit(),
        target=congress,
    )
    return congress
