from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from deliberation.inputs import query_choice, query_date, query_int

from .models import AuditEntry
from .registry import action_codes


@dataclass(frozen=True)
class AuditFilters:
    """What the log page and `GET /api/v1/audit-log/` filter by."""

    action: str | None = None
    unit: int | None = None
    member: int | None = None  # by or about the member
    since: date | None = None
    until: date | None = None  # inclusive

    @classmethod
    def from_query(cls, params: Any) -> AuditFilters:
        return cls(
            action=query_choice(params, "action", action_codes()),
            unit=query_int(params, "unit"),
            member=query_int(params, "member"),
            since=query_date(params, "since"),
            until=query_date(params, "until"),
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def list_audit_entries(
    *,
    filters: AuditFilters | None = None,
    action: str | None = None,
    unit_id: int | None = None,
) -> QuerySet:
    f = filters or AuditFilters(action=action, unit=unit_id)
    qs = AuditEntry.objects.select_related("actor", "unit")
    if f.action:
        qs = qs.filter(action=f.action)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.member:
        qs = qs.filter(Q(actor_id=f.member) | Q(data__member=f.member))
    if f.since:
        qs = qs.filter(at__gte=_start_of(f.since))
    if f.until:
        qs = qs.filter(at__lt=_start_of(f.until + timedelta(days=1)))
    return qs
