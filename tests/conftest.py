from __future__ import annotations

import copy
import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, MemberFactory, give_role, make_tree


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys():
    """Cache keys of this test process only: parallel runs (xdist workers, other
    sessions) share the Redis database, and their members have the same ids."""
    config = copy.deepcopy(settings.CACHES)
    config["default"]["KEY_PREFIX"] = f"test{os.getpid()}"
    with override_settings(CACHES=config):
        yield


@pytest.fixture(autouse=True)
def _clean_cache(_own_cache_keys):
    """Forget this process's cache keys (a rate-limit counter, a lockout) — not with
    FLUSHDB, which would empty the counters of a test running in parallel."""
    default = caches["default"]
    if isinstance(default, RedisCache):
        client = default._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{default.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        default.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Swedish activates Swedish for the thread; the next test starts
    from the default again."""
    yield
    translation.deactivate()


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def member(tree):
    return MemberFactory(units=[tree["branch"]])


@pytest.fixture
def other_member(tree):
    return MemberFactory(units=[tree["branch"]])


@pytest.fixture
def outsider(tree):
    """A member of the sibling branch only."""
    return MemberFactory(units=[tree["branch2"]])


@pytest.fixture
def admin_member(tree):
    m = MemberFactory(units=[tree["branch"]])
    give_role(m, tree["national"], "admin")
    return m


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def anon_client():
    return APIClient()


def client_for(member) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=member)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(member):
    return client_for(member)


@pytest.fixture
def api_for():
    return client_for


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django sends to it through the SMTP backend."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


pytest_plugins = ("tests.e2e.fixtures",)
