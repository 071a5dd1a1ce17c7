"""Threads and their event stream: every change a watcher should see is stored
as a `ThreadEvent` with the next `seq` and published after commit (docs/realtime.md)."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection, transaction
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
    return store_thread_event(
        thread_id=thread_id, seq=seq, type=type, object_id=object_id, data=data
    )


def store_thread_event(
    *, thread_id: int, seq: int, type: str, object_id: int | str = "", data: dict
) -> ThreadEvent:
    """Store the event under a `seq` the caller took (inside its transaction, with
    the thread row locked: `append_thread_event`, `take_comment_seq`) and publish
    it after commit."""
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


_TAKE_COMMENT_SEQ = (
    "UPDATE {table} SET {seq} = {seq} + 1, {count} = {count} + 1, {activity} = %s "
    "WHERE {id} = %s RETURNING {seq}, {count}"
)


def take_comment_seq(*, thread_id: int, activity: datetime) -> tuple[int, int]:
    """One new comment in the thread: the next `seq`, the comment count + 1 and the
    last activity, in one statement (inside the caller's transaction). The row stays
    locked until commit — every writer of the thread waits here, so callers take it
    as the last write before committing. Returns (seq, comment_count)."""
    qn = connection.ops.quote_name
    sql = _TAKE_COMMENT_SEQ.format(
        table=qn(Thread._meta.db_table),
        seq=qn("last_seq"),
        count=qn("comment_count"),
        activity=qn("last_activity"),
        id=qn("id"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [connection.ops.adapt_datetimefield_value(activity), thread_id]
        )
        row = cursor.fetchone()
    if row is None:
        raise Thread.DoesNotExist(f"thread {thread_id}")
    return int(row[0]), int(row[1])
