"""Live events of polls, through the threads' durable event streams (seq, resume):
`poll.turnout_changed` (at most once a second per poll) and `poll.closed`. They go to
the poll's thread and to the thread of every proposal on the ballot. Events carry
counts only — never who voted or what (docs/voting.md, "Secrecy")."""

from __future__ import annotations

import contextlib
import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from deliberation.discussions.services import append_thread_event

from .models import Participation, Poll

TURNOUT_INTERVAL = 1.0  # seconds

logger = logging.getLogger(__name__)


def event_threads(poll: Poll) -> list[int]:
    ids = {poll.thread_id} if poll.thread_id else set()
    ids.update(
        t for t in poll.proposals.values_list("thread_id", flat=True) if t is not None
    )
    return sorted(ids)


def push(poll: Poll, type_: str, data: dict) -> None:
    """Store on each thread's stream; published after commit."""
    for thread_id in event_threads(poll):
        append_thread_event(thread=thread_id, type=type_, object_id=poll.pk, data=data)


def turnout_payload(poll: Poll, participations: int | None = None) -> dict:
    if participations is None:
        participations = Participation.objects.filter(poll=poll).count()
    eligible = poll.eligible_count
    return {
        "poll": poll.pk,
        "participations": participations,
        "eligible": eligible,
        "turnout": round(participations / eligible, 4) if eligible else 0.0,
        "at": timezone.now().isoformat(),
    }


def publish_turnout(poll_id: int) -> bool:
    """Push the current turnout now (also the trailing push of the throttle)."""
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None or poll.state != "open":
        return False
    # While the cache is down the throttle is off (announce_turnout logs it).
    with contextlib.suppress(RedisError):
        cache.set(f"voting:turnout:{poll_id}", 1, timeout=TURNOUT_INTERVAL)
    with transaction.atomic():
        push(poll, "poll.turnout_changed", turnout_payload(poll))
    return True


def announce_turnout(poll_id: int) -> None:
    """Called after a new participation commits. The first change in a second is
    pushed at once; later ones in the same second are folded into one trailing push
    a second later, so clients see at most one event a second and the last count."""
    try:
        first = cache.add(f"voting:turnout:{poll_id}", 1, timeout=TURNOUT_INTERVAL)
        trailing = not first and cache.add(
            f"voting:turnout-trailing:{poll_id}", 1, timeout=TURNOUT_INTERVAL
        )
    except RedisError as exc:
        # The ballot is stored; without the cache every change is pushed (unthrottled).
        logger.warning(
            _("The cache is unreachable (%(error)s): turnout is pushed unthrottled."),
            {"error": exc},
        )
        first, trailing = True, False
    if first:
        publish_turnout(poll_id)
        return
    if trailing:
        from .scheduling import run_later

        try:
            run_later("voting.publish_turnout", [poll_id], delay=TURNOUT_INTERVAL)
        except Exception as exc:  # the broker is down: push now instead
            logger.warning(
                _("Could not hand the turnout push to a worker (%(error)s)."),
                {"error": exc},
            )
            publish_turnout(poll_id)
