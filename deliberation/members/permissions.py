"""Permission predicates, reused by pages, the API and websocket consumers.

Flat by design: being a member of a unit (or of a unit below it) lets you read, propose
and comment there. Roles only allow the narrow, logged uses of power named here.
"""

from __future__ import annotations

from datetime import datetime

from .models import Member, Membership, Role, RoleAssignment, Unit
from .viewer import Viewer, signed_in

# What a member is (units, roles) is read once per member object — for a page, one
# request — and kept on it: `member.__dict__["_torget_…"]`. The services that change
# memberships and roles forget it on the object they were given (`forget_cached`).
_UNITS, _SCOPE, _ROLES = "_torget_unit_ids", "_torget_scope_ids", "_torget_roles"


def forget_cached(member: Viewer | None) -> None:
    """Drop what `unit_ids_of`, `scope_unit_ids_of` and `has_role` keep on `member`."""
    if member is not None:
        for key in (_UNITS, _SCOPE, _ROLES, "_torget_moderates"):
            member.__dict__.pop(key, None)


def _load_units(member: Member) -> set[int]:
    """The member's units and, from their paths, the scope — one query for both."""
    units: set[int] = set()
    scope: set[int] = set()
    for unit_id, path in (
        Membership.objects.current()
        .filter(member=member)
        .values_list("unit_id", "unit__path")
    ):
        units.add(unit_id)
        scope.update(int(p) for p in path.strip("/").split("/") if p)
    member.__dict__[_UNITS], member.__dict__[_SCOPE] = units, scope
    return units


def unit_ids_of(member: Viewer | None) -> set[int]:
    """Units the member belongs to now (directly)."""
    if not signed_in(member):
        return set()
    cache: set[int] | None = member.__dict__.get(_UNITS)
    return cache if cache is not None else _load_units(member)


def scope_unit_ids_of(member: Viewer | None) -> set[int]:
    """Units where the member may act: their units and every ancestor of them
    (a branch member takes part in the district and national questions)."""
    if not signed_in(member):
        return set()
    if member.__dict__.get(_SCOPE) is None:
        _load_units(member)
    return member.__dict__[_SCOPE]


def current_roles(member: Viewer | None) -> list[tuple[str, int, str]]:
    """The member's current roles as (role, unit id, unit path): one query, kept on
    the member object (a page asks about moderating, facilitating and the moderation
    queue with it)."""
    if not signed_in(member):
        return []
    cache: list[tuple[str, int, str]] | None = member.__dict__.get(_ROLES)
    if cache is None:
        cache = list(
            RoleAssignment.objects.current()
            .filter(member=member)
            .order_by()
            .values_list("role", "unit_id", "unit__path")
        )
        member.__dict__[_ROLES] = cache
    return cache


def is_member_of(member: Viewer | None, unit: Unit) -> bool:
    """True when the member belongs to `unit` or to a unit below it."""
    if not signed_in(member):
        return False
    return unit.pk in scope_unit_ids_of(member)


def has_role(
    member: Viewer | None, unit: Unit, role: str, *, at: datetime | None = None
) -> bool:
    """A current role on this unit or on one of its ancestors (`at`: at that time
    instead of now)."""
    if not signed_in(member):
        return False
    units = unit.ancestor_ids or [unit.pk]
    if at is None:
        return any(r == role and u in units for r, u, _path in current_roles(member))
    return (
        RoleAssignment.objects.current(at)
        .filter(member=member, role=role, unit_id__in=units)
        .exists()
    )


def can_manage_roles(member: Viewer | None, unit: Unit) -> bool:
    return getattr(member, "is_superuser", False) or has_role(member, unit, Role.ADMIN)
