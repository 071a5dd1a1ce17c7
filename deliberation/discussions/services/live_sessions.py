"""Live sessions: a facilitator schedules one on a thread, the beat announces its
start once, and it is closed with minutes kept on the thread."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.markdown import render_markdown
from deliberation.members.models import Member, Unit

from .. import permissions as perms
from ..models import LiveSession, Thread
from ..notifying import session_started
from .threads import append_thread_event, create_thread

DEFAULT_SESSION_MINUTES = 60
MAX_SESSION_LENGTH = timedelta(hours=24)
MAX_SCHEDULE_AHEAD = timedelta(days=2 * 365)


def schedule_live_session(
    *,
    unit: Unit,
    facilitator: Member,
    title: str = "",
    starts: datetime,
    ends: datetime | None = None,
    duration_minutes: int | None = None,
    agenda: str = "",
    thread: Thread | None = None,
) -> LiveSession:
    """Without a title the session takes the agenda's first line; without `ends` it
    lasts `duration_minutes` (default DEFAULT_SESSION_MINUTES). Without a thread one
    is opened for the session."""
    title = (title or "").strip()[:200]
    if not title:
        first = (agenda or "").strip().splitlines()
        title = (first[0].strip() if first else "")[:200] or _("Live session")
    if ends is None and starts is not None:
        ends = starts + timedelta(minutes=duration_minutes or DEFAULT_SESSION_MINUTES)
    if not perms.can_run_live_session(facilitator, unit):
        raise NotAllowed(
            _("Only a facilitator of %(unit)s can schedule a session.")
            % {"unit": unit.name}
        )
    if starts is None or ends is None or ends <= starts:
        raise ServiceError(_("The session must end after it starts."), code="bad_times")
    now = timezone.now()
    if ends < now:
        raise ServiceError(_("The session would already be over."), code="bad_times")
    if ends - starts > MAX_SESSION_LENGTH:
        raise ServiceError(
            _("A session lasts at most %(hours)d hours.")
            % {"hours": MAX_SESSION_LENGTH // timedelta(hours=1)},
            code="bad_times",
        )
    if starts > now + MAX_SCHEDULE_AHEAD:
        raise ServiceError(
            _("A session can be scheduled at most two years ahead."), code="bad_times"
        )
    if thread is not None and thread.unit_id != unit.pk:
        raise ServiceError(_("The thread belongs to another unit."), code="bad_thread")
    with transaction.atomic():
        if thread is None:
            thread = create_thread(title=title, unit=unit, actor=facilitator)
        session = LiveSession.objects.create(
            thread=thread,
            unit=unit,
            facilitator=facilitator,
            title=title,
            agenda=(agenda or "")[:5000],
            starts=starts,
            ends=ends,
        )
        record_audit(
            actor=facilitator,
            action="live_session.schedule",
            unit=unit,
            target=session,
            summary=_("Scheduled the live session “%s”") % title,
            data={
                "thread": thread.pk,
                "starts": starts.isoformat(),
                "ends": ends.isoformat(),
            },
        )
        append_thread_event(
            thread=thread,
            type="session.scheduled",
            object_id=session.pk,
            data=session_event_data(session),
        )
    return session


@transaction.atomic
def close_live_session(
    *, session: LiveSession, actor: Member, minutes: str
) -> LiveSession:
    minutes = (minutes or "").strip()
    if not minutes:
        raise ServiceError(
            _("Write the minutes before closing the session."), code="minutes_required"
        )
    if len(minutes) > 20_000:
        raise ServiceError(
            _("The minutes can be at most 20,000 characters."), code="too_long"
        )
    session = (
        LiveSession.objects.select_for_update()
        .select_related("unit")
        .get(pk=session.pk)
    )
    if not perms.can_run_live_session(actor, session.unit):
        raise NotAllowed(
            _("Only a facilitator of %(unit)s can close the session.")
            % {"unit": session.unit.name}
        )
    if session.closed is not None:
        raise Conflict(_("This session is already closed."), code="already_closed")
    session.closed = timezone.now()
    session.closed_by = actor
    session.minutes = minutes
    session.save(update_fields=["closed", "closed_by", "minutes"])
    record_audit(
        actor=actor,
        action="live_session.close",
        unit=session.unit,
        target=session,
        summary=_("Closed the live session “%s” with minutes") % session.title,
    )
    append_thread_event(
        thread=session.thread_id,
        type="session.closed",
        object_id=session.pk,
        data=session_event_data(session),
    )
    return session


def announce_started_sessions(*, now: datetime | None = None) -> int:
    """Push `session.started` to the thread of every session that has begun (beat, every
    30 s). Each session is announced once — a conditional update claims it, so two beat
    processes or a re-run never announce twice; a session missed during downtime is
    announced late if it still runs, never after it has ended."""
    now = now or timezone.now()
    due = LiveSession.objects.filter(
        closed__isnull=True, start_announced__isnull=True, starts__lte=now, ends__gt=now
    )
    announced = 0
    for session in due.select_related("thread", "unit", "facilitator"):
        with transaction.atomic():
            claimed = LiveSession.objects.filter(
                pk=session.pk, start_announced__isnull=True
            ).update(start_announced=now)
            if claimed:
                append_thread_event(
                    thread=session.thread_id,
                    type="session.started",
                    object_id=session.pk,
                    data=session_event_data(session),
                )
                session_started(session)
                announced += 1
    return announced


def session_event_data(session: LiveSession) -> dict:
    return {
        "id": session.pk,
        "thread": session.thread_id,
        "title": session.title,
        "starts": session.starts.isoformat(),
        "ends": session.ends.isoformat(),
        "closed": session.closed.isoformat() if session.closed else None,
        "minutes_html": render_markdown(session.minutes) if session.minutes else "",
    }
