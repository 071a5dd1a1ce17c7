"""Notifications' share of a member's personal data: follows (deleted on erasure,
also others' follows of the erased member), notification preferences, the
notifications they received (and the e-mail log: when each was e-mailed) — plus the
`export_ready` kind, raised when a member's data export is ready."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deliberation.members.models import DataExport, Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_pruner,
    register_section,
)

from .kinds import Rendered, register_kind, register_read_rule
from .models import (
    Follow,
    FollowTarget,
    Notification,
    NotificationEvent,
    NotificationPreference,
)


def export_follows(member: Member) -> Iterator[dict]:
    qs = Follow.objects.filter(member=member).order_by("created", "id")
    for f in qs.iterator(chunk_size=1000):
        yield {
            "kind": f.target_kind,
            "id": f.target_id,
            "since": f.created.isoformat(),
        }


def erase_follows(ctx: ErasureContext) -> None:
    Follow.objects.filter(member=ctx.member).delete()
    Follow.objects.filter(
        target_kind=FollowTarget.MEMBER, target_id=ctx.member.pk
    ).delete()


def export_preferences(member: Member) -> Iterator[dict]:
    qs = NotificationPreference.objects.filter(member=member).order_by("kind")
    for p in qs.iterator(chunk_size=500):
        yield {"kind": p.kind, "channel": p.channel}


def export_notifications(member: Member) -> Iterator[dict]:
    qs = (
        Notification.objects.filter(recipient=member)
        .select_related("event")
        .order_by("id")
    )
    for n in qs.iterator(chunk_size=1000):
        yield {
            "kind": n.kind,
            "about": f"{n.event.subject_type} {n.event.subject_id}",
            "channel": n.channel,
            "created": n.created.isoformat(),
            "read": n.read.isoformat() if n.read else None,
            "emailed": n.emailed.isoformat() if n.emailed else None,
        }


def erase_notifications(ctx: ErasureContext) -> None:
    Notification.objects.filter(recipient=ctx.member).delete()
    NotificationPreference.objects.filter(member=ctx.member).delete()


def prune_notifications(now: datetime) -> int:
    """Delivered notification events (with their notifications and e-mail log)
    older than NOTIFICATION_RETENTION_DAYS go."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _rows = NotificationEvent.objects.filter(
        created__lt=cutoff, delivered__isnull=False
    ).delete()
    return deleted


def render_export_ready(event, viewer) -> Rendered:
    return Rendered(
        text=gettext("Your data export is ready to download."),
        url=reverse("settings_data"),
    )


def notify_export_ready(export: DataExport) -> None:
    from .emit import notify

    notify(
        "export_ready",
        subject=export,
        recipients=[export.member_id],
        key=f"export_ready:{export.pk}",
        data={"export": export.pk},
    )


def register() -> None:
    from deliberation.members.exports import register_export_ready

    register_read_rule(
        "members.dataexport",
        can_read=lambda member, export: export.member_id == member.pk,
        readers=lambda export, ids: {i for i in ids if i == export.member_id},
    )
    register_kind(
        "export_ready",
        label=_("Your data export is ready"),
        render=render_export_ready,
        default_channel="in_app",
    )
    register_export_ready(notify_export_ready)
    register_section(
        "notifications.preferences",
        title=_("Notification preferences"),
        export=export_preferences,
        order=41,
        stores=[
            Stored(
                "Notification preferences (per kind: off, in Torget, e-mail, digest)",
                "to notify you as you chose",
                "until you change them; deleted on erasure",
            )
        ],
    )
    register_section(
        "notifications.received",
        title=_("Notifications you received"),
        export=export_notifications,
        erase=erase_notifications,
        order=42,
        stores=[
            Stored(
                "Notifications you received, when you read them and when they were "
                "e-mailed to you (the e-mail log)",
                "to show and send you what happened",
                "`NOTIFICATION_RETENTION_DAYS` (180 days), then pruned; deleted on "
                "erasure",
            )
        ],
    )
    register_pruner("notifications.events", prune_notifications)
    register_section(
        "notifications.follows",
        title=_("What you follow"),
        export=export_follows,
        erase=erase_follows,
        order=40,
        stores=[
            Stored(
                "What you follow (proposals, threads, units, topics, members)",
                "to notify you",
                "until you unfollow; deleted on erasure",
            )
        ],
    )
