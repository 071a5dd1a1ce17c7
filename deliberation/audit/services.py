from __future__ import annotations

from django.db import models

from deliberation.members.models import Member, Unit

from .models import AuditEntry


def record_audit(
    *,
    actor: Member | None,
    action: str,
    summary: str,
    reason: str = "",
    unit: Unit | None = None,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Write one public audit entry. Call inside the transaction that uses the power."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        summary=summary[:500],
        reason=reason,
        unit=unit,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
