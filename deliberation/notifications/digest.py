"""Daily and weekly digests (docs/notifications.md, "Digests").

A member's notifications on the `daily` (or `weekly`) channel wait, unmailed, until
the digest time: every day (weekly: every NOTIFICATION_DIGEST_WEEKDAY) at
NOTIFICATION_DIGEST_HOUR, local time, plus the member's own offset of
`id % NOTIFICATION_DIGEST_SPREAD` minutes — so 100,000 digests go out over an hour,
not in one burst. A beat tick (every minute) hands the members whose time has come
to tasks of DIGEST_CHUNK members, at most DIGEST_TASKS_PER_TICK tasks a tick, so a
tick never holds the queue long and live notifications pass in between.

Safe to run twice: each member's digest is sent while their pending rows are locked
(`FOR UPDATE SKIP LOCKED`) and they are marked sent in a commit between the message
and its final dot (`smtp_once.py`); a second run finds nothing. A tick that was
missed (beat down) is caught up by the next one.

A digest leads with "Needs my action" (`needs_action_for`), then the notifications
grouped by proposal or thread, each re-checked against its read rule."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.members.models import Member

from . import smtp_once
from .kinds import kind_for, load_subject, may_read
from .mail import absolute, build_message
from .models import Channel, Notification
from .payloads import in_language, render

logger = logging.getLogger(__name__)

DIGEST_CHANNELS = (Channel.DAILY, Channel.WEEKLY)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def cutoff(channel: str, now: datetime | None = None) -> datetime:
    """The latest digest time ≤ now (what came before it goes in this digest)."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(
        hour=_setting("NOTIFICATION_DIGEST_HOUR", 7), minute=0, second=0, microsecond=0
    )
    if at > local:
        at -= timedelta(days=1)
    if channel == Channel.WEEKLY:
        weekday = _setting("NOTIFICATION_DIGEST_WEEKDAY", 0)  # Monday
        at -= timedelta(days=(at.weekday() - weekday) % 7)
    return at


def offset(member_id: int) -> timedelta:
    spread = max(1, _setting("NOTIFICATION_DIGEST_SPREAD", 60))
    return timedelta(minutes=member_id % spread)


def due_members(channel: str, now: datetime | None = None) -> list[int]:
    """Members with digest lines waiting whose digest time has come."""
    now = now or timezone.now()
    start = cutoff(channel, now)
    pending = (
        Notification.objects.filter(
            channel=channel, emailed__isnull=True, created__lt=start
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    minutes = int((now - start).total_seconds() // 60)
    spread = max(1, _setting("NOTIFICATION_DIGEST_SPREAD", 60))
    if minutes >= spread:
        return sorted(pending)
    return sorted(m for m in pending if m % spread <= minutes)


def claim(channel: str, member_ids: list[int], start: datetime) -> list[int]:
    """Leave out members already handed to a task for this digest (a cache mark
    for an hour); without the cache, everyone (sending twice sends once)."""
    keys = {f"notif-digest:{channel}:{start:%Y%m%d%H}:{m}": m for m in member_ids}
    try:
        taken = cache.get_many(list(keys))
        cache.set_many(dict.fromkeys(set(keys) - set(taken), 1), timeout=3600)
    except Exception as exc:
        logger.warning(
            _("The cache is unreachable (%(error)s): digests are not deduplicated."),
            {"error": exc},
        )
        return member_ids
    return [m for k, m in keys.items() if k not in taken]


def plan_tick(now: datetime | None = None) -> list[tuple[str, list[int]]]:
    """The (channel, member ids) batches to send this tick."""
    now = now or timezone.now()
    chunk = _setting("NOTIFICATION_DIGEST_CHUNK", 200)
    budget = _setting("NOTIFICATION_DIGEST_TASKS_PER_TICK", 50)
    batches: list[tuple[str, list[int]]] = []
    for channel in DIGEST_CHANNELS:
        if len(batches) >= budget:
            break
        due = due_members(channel, now)[: (budget - len(batches)) * chunk]
        due = claim(channel, due, cutoff(channel, now))
        batches += [(channel, due[i : i + chunk]) for i in range(0, len(due), chunk)]
    return batches


def send_digests(
    channel: str, member_ids: list[int], now: datetime | None = None
) -> int:
    """Send each member's digest (one SMTP connection for the batch)."""
    start = cutoff(channel, now)
    members = Member.objects.filter(pk__in=member_ids, is_active=True)
    subjects: dict[int, object] = {}
    sent = 0
    connection = get_connection()
    try:
        for member in members:
            sent += _send_one(member, channel, start, subjects, connection)
    finally:
        connection.close()
    return sent


def digest_context(member: Member, rows: list[Notification], subjects: dict) -> dict:
    """The needs-action items and the lines grouped by proposal or thread, in the
    member's language (active when called)."""
    from .needs_action import needs_action_for

    groups: OrderedDict[str, dict] = OrderedDict()
    for n in rows:
        event = n.event
        if event.pk not in subjects:
            subjects[event.pk] = load_subject(event)
        if not may_read(event, subjects[event.pk], member):
            continue
        spec = kind_for(n.kind)
        key, title = (
            spec.group(event)
            if spec and spec.group
            else (f"{event.subject_type}:{event.subject_id}", "")
        )
        shown = render(event, member)
        group = groups.setdefault(key, {"title": title, "lines": []})
        group["lines"].append({"text": shown.text, "url": absolute(shown.url)})
    actions = [
        {"text": item.text, "url": absolute(item.url), "deadline": item.deadline}
        for item in needs_action_for(member)
    ]
    return {"groups": list(groups.values()), "actions": actions}


def _send_one(
    member: Member, channel: str, start: datetime, subjects, connection
) -> int:
    with smtp_once.once(connection) as outbox:
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "event__actor")
            .filter(
                recipient=member,
                channel=channel,
                emailed__isnull=True,
                created__lt=start,
            )
            .order_by("id")
        )
        if not rows:
            return 0
        with in_language(member.language):
            context = digest_context(member, rows, subjects)
            subject = (
                _("Your daily summary from Torget")
                if channel == Channel.DAILY
                else _("Your weekly summary from Torget")
            )
            context["heading"] = subject
        if member.email and context["groups"]:
            outbox.send(
                build_message(
                    member,
                    subject=subject,
                    template="digest",
                    context=context,
                    kind=f"digest:{channel}",
                    tag=f"d{channel}{member.pk}.{start:%Y%m%d}",
                    connection=connection,
                )
            )
        # marked even with nothing readable left or no address: nothing to send, ever
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            emailed=timezone.now()
        )
    if outbox.try_later:
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed=None)
    elif outbox.unrecorded:
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            emailed=timezone.now()
        )
    return int(outbox.accepted)
