from django.db.models import QuerySet

from .models import AuditEntry


def list_audit_entries(
    *, action: str | None = None, unit_id: int | None = None
) -> QuerySet:
    qs = AuditEntry.objects.select_related("actor", "unit")
    if action:
        qs = qs.filter(action=action)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs
