"""A Redis outage does not stop sign-in, and the limits still hold (per process)."""

from __future__ import annotations

import logging
import time

import pytest
from rest_framework.test import APIClient

from deliberation import counters
from tests.factories import PASSWORD, MemberFactory
from tests.redis_server import own_redis  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def _token(username: str, password: str):
    return APIClient(REMOTE_ADDR="198.51.100.30").post(
        TOKEN, {"username": username, "password": password}, format="json"
    )


def test_sign_in_goes_on_and_stays_limited_while_redis_is_down(
    settings,
    own_redis,  # noqa: F811
    caplog,
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url(),
            "KEY_PREFIX": "signin-outage",
        }
    }
    counters.reset()
    victim, member = MemberFactory(), MemberFactory()
    assert _token(victim.username, "guess").status_code == 400  # counted in Redis
    own_redis.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="deliberation.counters"):
            started = time.monotonic()
            assert _token(member.username, PASSWORD).status_code == 200
            statuses = [
                _token(victim.username, "guess").status_code
                for _ in range(settings.LOGIN_MAX_FAILURES + 2)
            ]
            took = time.monotonic() - started
        assert statuses == [400] * settings.LOGIN_MAX_FAILURES + [429, 429]
        assert any("unreachable" in r.getMessage() for r in caplog.records)
    finally:
        own_redis.start()
        counters.reset()
    assert took < 5, f"sign-in waited {took:.1f} s for a dead Redis"
    # back on Redis: the count from before the outage is gone with the restart
    # (no persistence), and the shared counts work again
    assert _token(member.username, PASSWORD).status_code == 200
