"""Sign-in rate limiting shared by the login page and the token endpoint.

Failures are counted per username and per client address in the cache (Redis in
production, so every process shares the count). After LOGIN_MAX_FAILURES failures the
pair is refused for LOGIN_LOCKOUT_SECONDS with a clear message (429), never a 500.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

IP_FACTOR = (
    4  # one address may fail for a few usernames (shared NAT) before it is blocked
)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_locked(username: str, ip: str) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    return (
        cache.get(_key("user", username), 0) >= limit
        or cache.get(_key("ip", ip), 0) >= limit * IP_FACTOR
    )


def register_failure(username: str, ip: str) -> None:
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    for key in (_key("user", username), _key("ip", ip)):
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout)


def reset_failures(username: str) -> None:
    cache.delete(_key("user", username))


def lockout_minutes() -> int:
    return max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
