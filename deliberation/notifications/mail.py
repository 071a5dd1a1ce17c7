"""E-mail: one message per notification due "at once", HTML and plain text in the
member's language, with a signed one-click unsubscribe for its kind
(`List-Unsubscribe` and `List-Unsubscribe-Post`, RFC 8058).

Exactly once: each message is sent while its notification row is locked
(`SELECT ... FOR UPDATE SKIP LOCKED`, `emailed IS NULL`), so a task delivered twice
sends once, and the row is marked sent in a commit that falls between the message
and its final dot (`smtp_once.py`), so a worker killed at any moment sends it once.
The Message-ID is fixed per notification too."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deliberation.observability import metrics

from . import smtp_once
from .kinds import kind_for, load_subject, may_read
from .models import Channel, Notification
from .payloads import in_language, render

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(member_id: int, kind: str) -> str:
    return signing.dumps({"m": member_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    member_id, kind = data.get("m"), data.get("k")
    if not isinstance(member_id, int) or not isinstance(kind, str):
        return None
    return member_id, kind


def unsubscribe_url(member_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications-unsubscribe", args=[unsubscribe_token(member_id, kind)]
    )


def absolute(url: str) -> str:
    return url if not url.startswith("/") else settings.SITE_URL + url


def message_id(tag: str) -> str:
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    return f"<torget.{tag}@{domain or 'localhost'}>"


def build_message(
    member,
    *,
    subject: str,
    template: str,
    context: dict,
    kind: str,
    tag: str,
    connection=None,
) -> EmailMultiAlternatives:
    """A message to `member` from `template`.txt/.html, rendered in their language."""
    with in_language(member.language):
        ctx = {
            "member": member,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe_url(member.pk, kind),
            "settings_url": settings.SITE_URL + reverse("settings"),
            **context,
        }
        text = render_to_string(f"notifications/email/{template}.txt", ctx)
        html = render_to_string(f"notifications/email/{template}.html", ctx)
    msg = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[member.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{ctx['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id(tag),
            "Auto-Submitted": "auto-generated",
        },
    )
    msg.attach_alternative(html, "text/html")
    return msg


def send_now(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications that have not gone; return how many
    went. SMTP down raises (the task retries; the sweeper catches up later)."""
    pending = list(
        Notification.objects.filter(
            pk__in=notification_ids, channel=Channel.EMAIL, emailed__isnull=True
        ).values_list("pk", flat=True)
    )
    if not pending:
        return 0
    sent = 0
    connection = get_connection()
    try:
        for pk in pending:
            sent += _send_one(pk, connection)
    finally:
        connection.close()
    return sent


def _send_one(pk: int, connection) -> int:
    with smtp_once.once(connection) as outbox:
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "event", "event__actor")
            .filter(pk=pk, emailed__isnull=True)
            .first()
        )
        if n is None:
            return 0  # sent already, or another worker is sending it now
        member, event = n.recipient, n.event
        subject = load_subject(event)
        spec = kind_for(n.kind)
        n.emailed = timezone.now()
        if not member.email or spec is None or not may_read(event, subject, member):
            n.save(update_fields=["emailed"])  # nothing to send, ever: no retry
            return 0
        with in_language(member.language):
            shown = render(event, member)
            label = str(spec.label)
        outbox.send(
            build_message(
                member,
                subject=shown.text[:150],
                template="notification",
                context={
                    "text": shown.text,
                    "url": absolute(shown.url),
                    "label": label,
                },
                kind=n.kind,
                tag=f"n{n.pk}",
                connection=connection,
            )
        )
        n.save(update_fields=["emailed"])
    if outbox.try_later:
        Notification.objects.filter(pk=pk).update(emailed=None)
    elif outbox.unrecorded:
        Notification.objects.filter(pk=pk).update(emailed=timezone.now())
    if outbox.accepted:
        metrics.notification_emailed(event.created)
    return int(outbox.accepted)
