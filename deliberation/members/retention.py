"""Retention: operational records (sessions, submission keys, old exports, and what
other apps register: e-mail logs, …) are kept only as long as their settings say.
`prune_personal_data` runs every registered pruner (beat task
`members.prune_personal_data`, hourly); one failing pruner is logged and the others
go on."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from .personal_data import pruners

logger = logging.getLogger(__name__)


def prune_personal_data(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    done: dict[str, int] = {}
    for entry in pruners():
        try:
            done[entry.name] = entry.prune(now)
        except Exception:
            logger.exception("pruning %s failed", entry.name)
    return done
