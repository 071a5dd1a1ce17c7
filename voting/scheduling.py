"""Running a task at a moment: a Celery task with an `eta` on the workers, or the
embedded beat's timer under `make run` (where Celery runs tasks eagerly and would
ignore an eta). See docs/voting.md, "Closing on time".

Only closes due soon are handed to Celery with an eta (`CLOSE_AHEAD`): tasks with an
eta days ahead sit unacknowledged in the broker and are redelivered after its
visibility timeout. The sweeper (`voting.sweep`, every 30 s) hands over the closes of
the next CLOSE_AHEAD seconds, and closes whatever is overdue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import embedded_beat
from deliberation.celery import app

CLOSE_AHEAD = 120  # seconds

logger = logging.getLogger(__name__)


def eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def run_later(
    task: str, args: list, *, delay: float | None = None, eta: datetime | None = None
) -> bool:
    """Run `task(*args)` at `eta` (or `delay` seconds from now). Returns whether it
    was handed to someone (False: no worker and no embedded beat — a sweeper will)."""
    if eta is None:
        eta = timezone.now() + timedelta(seconds=delay or 0)
    if eager():
        return embedded_beat.call_at(eta, task, args)
    app.send_task(task, args=args, eta=eta)
    return True


def schedule_close(poll_id: int, closes: datetime) -> bool:
    """Hand the close to a worker (or the embedded timer) for its exact moment, once
    per closing time, when it is due within CLOSE_AHEAD seconds."""
    if (closes - timezone.now()).total_seconds() > CLOSE_AHEAD:
        return False
    key = f"voting:close-scheduled:{poll_id}:{closes.timestamp()}"
    try:
        if not cache.add(key, 1, timeout=CLOSE_AHEAD * 2):
            return False
        return run_later("voting.close_poll", [poll_id], eta=closes)
    except Exception as exc:  # cache or broker down: the sweeper closes it on time
        logger.warning(
            _("Could not schedule the close of poll %(poll)s (%(error)s)."),
            {"poll": poll_id, "error": exc},
        )
        return False
