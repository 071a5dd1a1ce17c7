"""The beat's congress work (every minute; idempotent, catches up)."""

from __future__ import annotations

from datetime import datetime

from .answers import mark_overdue_answers
from .forwarding import forward_missed


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    return {
        "forwarded": forward_missed(now=now),
        "overdue": mark_overdue_answers(now=now),
    }
