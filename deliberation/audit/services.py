from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

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
    at: datetime | None = None,
) -> AuditEntry:
    """Write one public audit entry. Call inside the transaction that uses the power.
    Store what happened as `action` + `data` (ids, codes, ISO dates): readers see it
    rendered from the action's registered message (registry.py) in their language;
    `summary` is only a fallback for the operator (the admin). `at` dates a step
    taken late for the time it was due (the schedule's catch-up)."""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        summary=summary[:500],
        reason=reason,
        unit=unit,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
