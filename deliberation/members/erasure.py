"""Erasing a member's personal data (docs/personal-data.md).

`request_erasure` records the request with its grace period (`ERASURE_GRACE_DAYS`; 0
erases at once); `cancel_erasure` withdraws it; the beat task
`members.erase_due_members` erases those whose time has come. `erase_member` runs
every registered section's eraser (`personal_data.py`) and then anonymises the member
row, **all in one transaction**: a crash halfway rolls everything back and the next
run starts again from the beginning, so nothing is ever half-anonymised.

The member row keeps its id, so supports, participations, comments and votes stay
counted, but nothing on it names the person any more: name, e-mail, member number,
password, sessions and tokens are gone. What stays on the public record under their
name (roles, uses of power in the audit log, delegates' roll-call votes) moves to a
separate name-only row (`ErasureContext.public_holder`), so it cannot be linked to
the anonymous rest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import Conflict, ServiceError

from .models import ErasureRequest, Member
from .personal_data import ErasureContext, sections

logger = logging.getLogger(__name__)


def request_erasure(
    *,
    member: Member,
    keep_comments: bool = False,
    by_administrator: bool = False,
    grace_days: int | None = None,
    now: datetime | None = None,
) -> ErasureRequest | None:
    """Ask for the member's data to be erased after the grace period. With a grace
    period of 0 the erasure happens now and None is returned."""
    if member.erased_at is not None:
        raise Conflict(_("This member's data has already been erased."))
    now = now or timezone.now()
    days = settings.ERASURE_GRACE_DAYS if grace_days is None else grace_days
    if days < 0:
        raise ServiceError(_("The grace period cannot be negative."))
    with transaction.atomic():
        request, _created = ErasureRequest.objects.update_or_create(
            member=member,
            defaults={
                "requested_at": now,
                "erase_at": now + timedelta(days=days),
                "keep_comments": keep_comments,
                "by_administrator": by_administrator,
            },
        )
    if days == 0:
        erase_member(member_id=member.pk, now=now)
        return None
    return request


def cancel_erasure(*, member: Member) -> bool:
    """Withdraw a pending request; False when there was none."""
    deleted, _rows = ErasureRequest.objects.filter(member=member).delete()
    return bool(deleted)


def erase_member(*, member_id: int, now: datetime | None = None) -> bool:
    """Erase one member's personal data in one transaction. Safe to run twice (the
    second run finds the row erased and does nothing); False when nothing was done."""
    now = now or timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(pk=member_id).first()
        if member is None or member.erased_at is not None:
            return False
        request = ErasureRequest.objects.filter(member=member).first()
        ctx = ErasureContext(
            member=member,
            keep_comments=bool(request and request.keep_comments),
            now=now,
        )
        for section in sections():
            if section.erase is not None:
                section.erase(ctx)
        anonymise_member_row(ctx)
        ErasureRequest.objects.filter(member=member).delete()
        for fn in ctx._after_commit:
            transaction.on_commit(fn)
    logger.info("erased the personal data of member %s", member_id)
    return True


def anonymise_member_row(ctx: ErasureContext) -> None:
    member = ctx.member
    member.username = ctx.anonymous_username
    member.full_name = ""
    member.first_name = ""
    member.last_name = ""
    member.email = ""
    member.member_number = None
    member.language = ""
    member.invited_at = None
    member.last_login = None
    member.is_active = False
    member.is_staff = False
    member.is_superuser = False
    member.erased_at = ctx.now
    member.set_unusable_password()
    member.save()
    member.groups.clear()
    member.user_permissions.clear()


def erase_due_members(*, now: datetime | None = None, limit: int = 100) -> int:
    """Erase every member whose grace period is over (the beat task); each in its own
    transaction, so one failure is logged and the others go on."""
    now = now or timezone.now()
    due = list(
        ErasureRequest.objects.filter(erase_at__lte=now)
        .order_by("erase_at")
        .values_list("member_id", flat=True)[:limit]
    )
    done = 0
    for member_id in due:
        try:
            done += erase_member(member_id=member_id, now=now)
        except Exception:
            logger.exception("erasing member %s failed; will retry", member_id)
    return done
