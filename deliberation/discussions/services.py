"""Writes for discussions. Every change a watcher should see is appended to the
thread's event stream with the next `seq` and published after commit."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import F

from deliberation.realtime.events import publish_on_commit, thread_group

from .models import Thread, ThreadEvent, ThreadKind


def create_thread(*, title: str, unit, actor=None, kind: str = ThreadKind.UNIT) -> Thread:
    return Thread.objects.create(title=title[:200], unit=unit, kind=kind, created_by=actor)


@transaction.atomic
def append_thread_event(*, thread: Thread | int, type: str, object_id="", data: dict) -> ThreadEvent:
    """Store the event with the next seq (the row update serialises writers) and
    publish it after commit. Returns the stored event."""
    thread_id = thread if isinstance(thread, int) else thread.pk
    Thread.objects.filter(pk=thread_id).update(last_seq=F("last_seq") + 1)
    seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).get()
    event = ThreadEvent.objects.create(
        thread_id=thread_id, seq=seq, type=type, object_id=str(object_id),
        data=json.loads(json.dumps(data, default=str)),
    )
    publish_on_commit(thread_group(thread_id), event.as_message())
    return event
