"""The notification as the API, the socket and the pages show it."""

from __future__ import annotations

import logging

from django.utils import translation

from .kinds import Rendered, kind_for
from .models import Notification, NotificationEvent

logger = logging.getLogger(__name__)


def render(event: NotificationEvent, viewer) -> Rendered:
    """The text and link of an event for a viewer, in the active language."""
    spec = kind_for(event.kind)
    if spec is None:
        return Rendered(text=event.kind)
    try:
        return spec.render(event, viewer)
    except Exception:  # a renderer's bug must not hide the list
        logger.exception("rendering notification kind %s failed", event.kind)
        return Rendered(text=str(spec.label))


def actor_payload(event: NotificationEvent) -> dict | None:
    actor = event.actor
    if actor is None:
        return None
    return {"id": actor.pk, "username": actor.username, "name": actor.display_name}


def object_payload(event: NotificationEvent) -> dict:
    return {"type": event.subject_type.rsplit(".", 1)[-1], "id": event.subject_id}


def notification_payload(
    n: Notification, viewer, event: NotificationEvent | None = None
) -> dict:
    event = event or n.event
    shown = render(event, viewer)
    return {
        "id": n.pk,
        "kind": n.kind,
        "created": n.created.isoformat(),
        "read": n.read is not None,
        "text": shown.text,
        "url": shown.url,
        "actor": actor_payload(event),
        "object": object_payload(event),
    }


def in_language(language: str | None):
    """Render for a member in their language (the site's default if unset)."""
    from django.conf import settings

    return translation.override(language or settings.LANGUAGE_CODE)
