"""Threads and their event stream: every change a watcher should see is stored
as a `ThreadEvent` with the next `seq` and published after commit (docs/realtime.md)."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from deliberation.errors import NotAllowed, ServiceError
from deliberation.members.models import Member, Unit
from deliberation.realtime.events import publish_on_commit, thread_group

from .. import permissions as perms
from ..models import Thread, ThreadEvent, ThreadKind


def create_thread(
    *, title: str, unit: Unit, actor: Member | None = None, kind: str = ThreadKind.UNIT
) -> Thread:
    return Thread.objects.create(
        title=title[:200], unit=unit, kind=kind, created_by=actor
    )


def open_thread(*, title: str, unit: Unit, actor: Member) -> Thread:
    """A branch's own discussion, opened by any member of the unit."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("A thread needs a title."), code="title_required")
    if len(title) > 200:
        raise ServiceError(
            _("The title can be at most 200 characters."), code="too_long"
        )
    if not perms.can_open_thread(actor, unit):
        raise NotAllowed(_("Only members of this unit can open a thread here."))
    return create_thread(title=title, unit=unit, actor=actor, kind=ThreadKind.UNIT)


@transaction.atomic
def append_thread_event(
    *, thread: Thread | int, type: str, object_id="", data: dict
) -> ThreadEvent:
    """Store the event with the next seq (the row update serialises writers) and
    publish it after commit. Returns the stored event."""
    thread_id = thread if isinstance(thread, int) else thread.pk
    Thread.objects.filter(pk=thread_id).update(last_seq=F("last_seq") + 1)
    seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).get()
    event = ThreadEvent.objects.create(
        thread_id=thread_id,
        seq=seq,
        type=type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data, default=str)),
    )
    publish_on_commit(thread_group(thread_id), event.as_message())
    return event
