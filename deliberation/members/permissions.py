"""Permission predicates, reused by pages, the API and websocket consumers.

Flat by design: being a member of a unit (or of a unit below it) lets you read, propose
and comment there. Roles only allow the narrow, logged uses of power named here.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .models import Membership, Role, RoleAssignment, Unit
from .viewer import Viewer, signed_in


def unit_ids_of(member: Viewer | None) -> set[int]:
    """Units the member belongs to now (directly)."""
    if not signed_in(member):
        return set()
    # Cached on the member object for one request.
    cache: set[int] | None = member.__dict__.get("_torget_unit_ids")
    if cache is None:
        cache = set(
            Membership.objects.current()
            .filter(member=member)
            .values_list("unit_id", flat=True)
        )
        member.__dict__["_torget_unit_ids"] = cache
    return cache


def scope_unit_ids_of(member: Viewer | None) -> set[int]:
    """Units where the member may act: their units and every ancestor of them
    (a branch member takes part in the district and national questions)."""
    if not signed_in(member):
        return set()
    cache: set[int] | None = member.__dict__.get("_torget_scope_ids")
    if cache is None:
        cache = set()
        for unit in Unit.objects.filter(pk__in=unit_ids_of(member)).only("path"):
            cache.update(unit.ancestor_ids)
        member.__dict__["_torget_scope_ids"] = cache
    return cache


def is_member_of(member: Viewer | None, unit: Unit) -> bool:
    """True when the member belongs to `unit` or to a unit below it."""
    if not signed_in(member):
        return False
    return unit.pk in scope_unit_ids_of(member)


def has_role(
    member: Viewer | None, unit: Unit, role: str, *, at: datetime | None = None
) -> bool:
    """A current role on this unit or on one of its ancestors."""
    if not signed_in(member):
        return False
    return (
        RoleAssignment.objects.current(at or timezone.now())
        .filter(member=member, role=role, unit_id__in=unit.ancestor_ids or [unit.pk])
        .exists()
    )


def can_manage_roles(member: Viewer | None, unit: Unit) -> bool:
    return getattr(member, "is_superuser", False) or has_role(member, unit, Role.ADMIN)
