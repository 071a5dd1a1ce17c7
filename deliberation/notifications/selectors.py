"""Reads of notifications: a member's list and unread count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Notification

if TYPE_CHECKING:
    from deliberation.members.models import Member


def notifications_for(
    member: Member, *, unread: bool = False
) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=member).select_related(
        "event", "event__actor"
    )
    if unread:
        qs = qs.filter(read__isnull=True)
    return qs.order_by("-id")


def unread_count(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read__isnull=True).count()


def missed_since(member: Member, after: int, limit: int = 100) -> list[Notification]:
    """The member's notifications with an id above `after`, oldest first (resume)."""
    return list(
        Notification.objects.filter(recipient=member, pk__gt=after)
        .select_related("event", "event__actor")
        .order_by("id")[:limit]
    )
