"""Fan-out of an event to its recipients (docs/notifications.md, "Delivery").

`fan_out` resolves who gets the event (named recipients and followers, never the
actor) and splits them into chunks of CHUNK members, each one task; `deliver_chunk`
keeps those who may read the subject now, inserts their notifications in one bulk
insert (unique per recipient and event: a chunk run twice inserts nothing more),
pushes them live and sends the e-mails due at once. Every step is safe to repeat."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.members.models import Member
from deliberation.observability import metrics

from .kinds import kind_for, load_subject, readers_among
from .models import Channel, Follow, Notification, NotificationEvent
from .preferences import channels_for

logger = logging.getLogger(__name__)


def chunk_size() -> int:
    return int(getattr(settings, "NOTIFICATION_CHUNK", 500))


def recipients_of(event: NotificationEvent) -> list[int]:
    """Named recipients, followers and the kind's audience: active accounts only,
    never the actor, sorted (so a re-run cuts the same chunks)."""
    named = set(event.recipients or [])
    spec = kind_for(event.kind)
    if spec is not None and spec.audience is not None:
        named.update(spec.audience(event, load_subject(event)))
    ids: set[int] = set()
    if named:
        ids.update(
            Member.objects.filter(pk__in=named, is_active=True).values_list(
                "pk", flat=True
            )
        )
    if event.followers_of:
        targets = Q(pk__in=[])
        for target_kind, target_id in event.followers_of:
            targets |= Q(target_kind=target_kind, target_id=target_id)
        ids.update(
            Follow.objects.filter(targets, member__is_active=True).values_list(
                "member_id", flat=True
            )
        )
    ids.discard(event.actor_id)
    return sorted(ids)


def fan_out(event_id: int) -> list[list[int]]:
    """The recipients of an undelivered event in chunks (empty once delivered)."""
    event = NotificationEvent.objects.filter(pk=event_id).first()
    if event is None or event.delivered is not None:
        return []
    NotificationEvent.objects.filter(pk=event_id).update(attempts=event.attempts + 1)
    ids = recipients_of(event)
    size = chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def mark_delivered(event_id: int) -> None:
    NotificationEvent.objects.filter(pk=event_id, delivered__isnull=True).update(
        delivered=timezone.now()
    )


def deliver_chunk(event_id: int, member_ids: list[int]) -> list[int]:
    """Insert the chunk's notifications; return the ids of those to e-mail now."""
    event = (
        NotificationEvent.objects.select_related("actor").filter(pk=event_id).first()
    )
    if event is None or kind_for(event.kind) is None:
        return []
    subject = load_subject(event)
    allowed = readers_among(event, subject, list(member_ids))
    if not allowed:
        return []
    channels = channels_for(sorted(allowed), event.kind)
    rows = [
        Notification(
            recipient_id=member_id,
            event_id=event.pk,
            kind=event.kind,
            channel=channel,
            created=event.created,
        )
        for member_id, channel in channels.items()
        if channel != Channel.OFF
    ]
    if not rows:
        return []
    ids = [r.recipient_id for r in rows]
    before = set(
        Notification.objects.filter(
            event_id=event.pk, recipient_id__in=ids
        ).values_list("recipient_id", flat=True)
    )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            event_id=event.pk, recipient_id__in=ids
        ).values_list("pk", "recipient_id", "channel", "emailed")
    )
    # the lag of the notifications this run created (not those a re-run found)
    metrics.notifications_delivered(
        event.created, [c for _pk, rid, c, _e in created if rid not in before]
    )
    from .live import push_created

    push_created(event, subject, [(pk, rid) for pk, rid, _c, _e in created])
    return [
        pk
        for pk, _rid, channel, emailed in created
        if channel == "email" and not emailed
    ]


def retry_after() -> float:
    return float(getattr(settings, "NOTIFICATION_RETRY_AFTER", 60))


def undelivered_events(limit: int = 500) -> list[int]:
    """Events left undelivered (broker down at commit, a fan-out that died)."""
    before = timezone.now() - timedelta(seconds=retry_after())
    return list(
        NotificationEvent.objects.filter(
            delivered__isnull=True, created__lt=before
        ).values_list("pk", flat=True)[:limit]
    )


def unsent_emails(limit: int = 5000) -> list[int]:
    """Notifications due by e-mail at once that have not gone (SMTP was down):
    older than five times NOTIFICATION_RETRY_AFTER, so the tasks' own retries
    come first."""
    before = timezone.now() - timedelta(seconds=5 * retry_after())
    return list(
        Notification.objects.filter(
            channel=Channel.EMAIL, emailed__isnull=True, created__lt=before
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def log_failure(what: str, exc: Exception) -> None:
    logger.warning(
        _("Notification delivery failed at %(what)s (%(error)s); it is retried."),
        {"what": what, "error": exc},
    )
