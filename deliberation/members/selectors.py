from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Member, Membership, RoleAssignment, Unit


def current_roles(at: datetime | None = None) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.current(at).select_related("member", "unit")


def list_units() -> QuerySet:
    """Units with direct member counts and current role holders, in tree order."""
    today = timezone.localdate()
    now = timezone.now()
    return (
        Unit.objects.annotate(
            direct_member_count=Count(
                "memberships",
                filter=Q(memberships__since__lte=today)
                & (
                    Q(memberships__until__isnull=True)
                    | Q(memberships__until__gte=today)
                ),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=current_roles(now).order_by("role", "member__username"),
                to_attr="current_roles",
            ),
            Prefetch(
                "children",
                queryset=Unit.objects.only("id", "parent_id"),
                to_attr="child_list",
            ),
        )
        .order_by("path")
    )


def subtree_member_count(unit: Unit) -> int:
    return (
        Membership.objects.current()
        .filter(unit__path__startswith=unit.path)
        .values("member_id")
        .distinct()
        .count()
    )


def subtree_member_counts() -> dict[int, int]:
    """Distinct current members in each unit's subtree, for every unit, in one query."""
    today = timezone.localdate()
    sql = """
        SELECT u.id, COUNT(DISTINCT m.member_id)
        FROM members_unit u
        JOIN members_unit mu ON mu.path LIKE u.path || '%%'
        JOIN members_membership m ON m.unit_id = mu.id
        WHERE m.since <= %s AND (m.until IS NULL OR m.until >= %s)
        GROUP BY u.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, today])
        return dict(cursor.fetchall())


def memberships_of(member: Member) -> QuerySet[Membership]:
    return Membership.objects.current().filter(member=member).select_related("unit")


def roles_of(member: Member) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.current().filter(member=member).select_related("unit")


def member_profile(pk: int) -> Member | None:
    """A member for their public profile (`/members/{id}/`, `/api/v1/members/{id}/`):
    current memberships with units (`current_memberships`) and every role term, past
    and present (`role_terms`, roles are public) — three queries. None for an unknown
    or deactivated account."""
    today = timezone.localdate()
    return (
        Member.objects.filter(pk=pk, is_active=True)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(since__lte=today)
                .filter(Q(until__isnull=True) | Q(until__gte=today))
                .select_related("unit")
                .order_by("unit__path"),
                to_attr="current_memberships",
            ),
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.select_related("unit").order_by(
                    "-starts", "-pk"
                ),
                to_attr="role_terms",
            ),
        )
        .first()
    )
