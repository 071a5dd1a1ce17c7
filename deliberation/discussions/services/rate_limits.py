"""How fast a member may post: `COMMENT_RATE` per `COMMENT_RATE_WINDOW`, counted
in the cache (Redis in production, shared by all processes) in fixed wall-clock
windows. With Redis the count is one round trip: a Lua script increments the window's
counter and gives a new one its expiry in the same step (atomic, so concurrent posts
never both see "9 of 10").

When the cache fails (Redis down) the rule is counted in PostgreSQL instead — the
member's comments of the last window — so the comment is still stored and the limit
still holds for the whole site; the outage is logged."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from deliberation.discussions.models import Comment
from deliberation.errors import ServiceError
from deliberation.members.models import Member

logger = logging.getLogger(__name__)
LOG_EVERY = 30.0  # seconds between two outage warnings of one process
_last_logged = 0.0

# INCR, and a new counter (1) gets its expiry in the same step: one round trip.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


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
    counted in the cache (Redis in production, so all processes share it), or in the
    database while the cache is unreachable."""
    limit, window = comment_rate()
    now = time.time()
    key = f"comment-rate:{member.pk}:{int(now // window)}"
    try:
        count = _count(key, window + 5)
    except RedisError as exc:
        _log_outage(exc)
        return _check_in_database(member, limit, window)
    if count > limit:
        _refuse(limit, window, int(window - now % window) + 1)


def _count(key: str, ttl: int) -> int:
    """Add one to the window's counter and return it (Redis: one script call)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        return int(client.eval(_COUNT, 1, full_key, ttl))
    backend.add(key, 0, ttl)  # the in-process cache (embedded profile)
    try:
        return backend.incr(key)
    except ValueError:  # expired between the two calls
        backend.set(key, 1, ttl)
        return 1


def _check_in_database(member: Member, limit: int, window: int) -> None:
    """The same rule over the member's stored comments of the last `window` seconds
    (a sliding window; two requests at the same instant may both pass)."""
    now = timezone.now()
    recent = list(
        Comment.objects.filter(
            author=member, created__gt=now - timedelta(seconds=window)
        )
        .order_by("-created")
        .values_list("created", flat=True)[:limit]
    )
    if len(recent) >= limit:
        oldest = recent[-1]
        wait = int((oldest + timedelta(seconds=window) - now).total_seconds()) + 1
        _refuse(limit, window, max(wait, 1))


def _refuse(limit: int, window: int, wait: int) -> None:
    raise RateLimited(
        _(
            "You are posting too fast: at most %(limit)d comments per %(window)d "
            "seconds. Try again in %(wait)d seconds."
        )
        % {"limit": limit, "window": window, "wait": wait},
        wait=wait,
    )


def _log_outage(exc: Exception) -> None:
    global _last_logged
    if time.monotonic() - _last_logged < LOG_EVERY:
        return
    _last_logged = time.monotonic()
    logger.warning(
        _(
            "The cache is unreachable (%(error)s): comment rate limits are counted "
            "in the database until it answers again."
        ),
        {"error": exc},
    )
