"""The one way domain code raises a notification (docs/notifications.md):

    from deliberation.notifications.emit import notify

    notify(
        "reply",
        subject=comment,            # what it is about: its read rule decides who reads
        actor=author,               # never notified of their own act
        recipients=[parent.author_id],
        followers_of=[thread],      # and whoever follows these (proposal, thread, ...)
        key=f"reply:{comment.pk}",  # unique: emitting twice records one event
        data={"thread": thread.pk},
    )

Call it inside the transaction of the change: the event row (the outbox) commits or
rolls back with it. Delivery starts after commit, on a Celery worker (in-process
under `make run`); if the broker is down the sweeper delivers it later."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .kinds import subject_label
from .models import NotificationEvent
from .targets import target_kind_of

if TYPE_CHECKING:
    from django.db import models

    from deliberation.members.models import Member

logger = logging.getLogger(__name__)


def notify(
    kind: str,
    *,
    subject: models.Model,
    actor: Member | None = None,
    recipients: Iterable[int] = (),
    followers_of: Iterable[models.Model] = (),
    key: str,
    data: dict | None = None,
) -> None:
    follows = []
    for obj in followers_of:
        target = target_kind_of(obj)
        if target is None:
            raise ValueError(f"{obj._meta.label} is not a follow target")
        follows.append([target, int(obj.pk)])
    payload = json.loads(json.dumps(data or {}, default=str))
    try:
        with transaction.atomic():
            event = NotificationEvent.objects.create(
                kind=kind,
                key=key[:200],
                subject_type=subject_label(subject),
                subject_id=int(subject.pk),
                actor=actor,
                recipients=sorted({int(r) for r in recipients if r is not None}),
                followers_of=follows,
                data=payload,
            )
    except IntegrityError:
        return  # the same key was recorded already: one event
    transaction.on_commit(lambda: dispatch(event.pk))


def dispatch(event_id: int) -> None:
    """Hand the event to a worker (eagerly in-process under make run). A broker
    that is down is logged: the sweeper delivers the event when it is back."""
    from .tasks import deliver_event

    try:
        deliver_event.apply_async(args=[event_id], retry=False)
    except Exception as exc:
        logger.warning(
            _("Could not hand notification event %(id)s to a worker (%(error)s)."),
            {"id": event_id, "error": exc},
        )
