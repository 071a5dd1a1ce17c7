from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, MemberFactory, give_role, make_tree


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    return


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
