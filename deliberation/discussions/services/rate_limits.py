"""How fast a member may post: `COMMENT_RATE` per `COMMENT_RATE_WINDOW`, counted
in the cache (Redis in production, shared by all processes)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from deliberation.errors import ServiceError
from deliberation.members.models import Member


class RateLimited(ServiceError):
    """Posting too fast (429 in the API)."""

    code = "rate_limited"

    def __init__(self, message: str, *, wait: int):
        super().__init__(message)
        self.wait = wait


def comment_rate() -> tuple[int, int]:
    """(comments, seconds) from COMMENT_RATE (an int, or "10/min" style) and
    COMMENT_RATE_WINDOW."""
    rate = getattr(settings, "COMMENT_RATE", 10)
    window = int(getattr(settings, "COMMENT_RATE_WINDOW", 60))
    if isinstance(rate, str) and "/" in rate:
        number, unit = rate.split("/", 1)
        window = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(
            unit.strip()[:1].lower(), 60
        )
        rate = number
    return int(rate), window


def check_comment_rate(member: Member) -> None:
    """At most COMMENT_RATE comments per member per COMMENT_RATE_WINDOW seconds,
    counted in the cache (Redis in production, so all processes share it)."""
    limit, window = comment_rate()
    now = time.time()
    key = f"comment-rate:{member.pk}:{int(now // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    if count > limit:
        wait = int(window - now % window) + 1
        raise RateLimited(
            _(
                "You are posting too fast: at most %(limit)d comments per %(window)d "
                "seconds. Try again in %(wait)d seconds."
            )
            % {"limit": limit, "window": window, "wait": wait},
            wait=wait,
        )
