"""The audit log is the public record of every use of power (DESIGN.md §1.3): it
stays after an erasure, with the name. Entries the member made or that name them as
the subject of a role move to the name-only public row (`ErasureContext.
public_holder`), so they cannot be linked to the member's anonymous comments."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import AuditEntry


def _entries(member: Member):
    return AuditEntry.objects.filter(
        Q(actor=member)
        | Q(data__member=member.pk)
        | Q(target_type="members.member", target_id=str(member.pk))
    )


def export_audit(member: Member) -> Iterator[dict]:
    for e in _entries(member).order_by("at", "id").iterator(chunk_size=500):
        yield {
            "at": e.at.isoformat(),
            "action": e.action,
            "by_you": e.actor_id == member.pk,
            "summary": e.summary,
            "reason": e.reason,
        }


def erase_audit(ctx: ErasureContext) -> None:
    entries = _entries(ctx.member)
    if not entries.exists():
        return
    holder = ctx.public_holder()
    pk = ctx.member.pk
    AuditEntry.objects.filter(actor=ctx.member).update(actor=holder)
    AuditEntry.objects.filter(target_type="members.member", target_id=str(pk)).update(
        target_id=str(holder.pk)
    )
    for entry in AuditEntry.objects.filter(data__member=pk).iterator(chunk_size=500):
        entry.data = {**entry.data, "member": holder.pk}
        AuditEntry.objects.filter(pk=entry.pk).update(data=entry.data)


def register() -> None:
    register_section(
        "audit.entries",
        title=_("Audit log entries about you"),
        export=export_audit,
        erase=erase_audit,
        order=50,
        stores=[
            Stored(
                "Audit log entries: every use of a role (granting roles, hiding "
                "comments, scheduling sessions, changing policies) with who and why",
                "power is used in the open (the public audit log)",
                "permanently, with the name, also after erasure",
            )
        ],
    )
