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
from ..payloads import without_text


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
    *, thread: Thread | int, type: str, object_id: int | str = "", data: dict
) -> ThreadEvent:
    """Store the event with the next seq (the row update serialises writers) and
    publish it after commit. Returns the stored event.

    The stored event keeps no comment text (`payloads.without_text`): the broadcast
    carries the text watchers may see now, and a replay renders it from the comment
    for the viewer (`replay.py`) — so hiding or deleting a comment takes its text off
    every later replay, and deleting erases it from the database."""
    thread_id = thread if isinstance(thread, int) else thread.pk
    Thread.objects.filter(pk=thread_id).update(last_seq=F("last_seq") + 1)
    seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).get()
    payload = json.loads(json.dumps(data, default=str))
    event = ThreadEvent.objects.create(
        thread_id=thread_id,
        seq=seq,
        type=type,
        object_id=str(object_id),
        data=without_text(payload),
    )
    publish_on_commit(thread_group(thread_id), event.as_message() | {"data": payload})
    return event
