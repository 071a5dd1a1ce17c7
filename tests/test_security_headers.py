"""Headers that narrow what a page may do (issue 7 §7)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db


def _directives(resp) -> dict[str, list[str]]:
    policy = resp["Content-Security-Policy"]
    parts = [p.strip().split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_websockets_may_connect_only_to_our_own_host():
    connect = _directives(Client().get("/accounts/login/"))["connect-src"]
    assert connect == ["'self'", "ws://testserver"]
    secure = _directives(Client().get("/accounts/login/", secure=True))["connect-src"]
    assert secure == ["'self'", "wss://testserver"]
    assert not {"ws:", "wss:", "*"} & set(connect + secure)


def test_the_api_and_error_pages_carry_the_same_policy():
    for resp in (Client().get("/api/v1/units/"), Client().get("/no-such-page/")):
        assert "ws://testserver" in _directives(resp)["connect-src"]
        assert "camera=()" in resp["Permissions-Policy"]


def test_features_torget_never_uses_are_off():
    policy = Client().get("/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_production_serves_only_hosts_it_is_told_to():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings as s;"
            "print(','.join(s.ALLOWED_HOSTS))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if k != "ALLOWED_HOSTS"},
            "TORGET_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "deliberation.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "127.0.0.1,localhost,[::1]"


def _policy_headers(resp) -> dict[str, str]:
    return {
        name: resp[name]
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
        if name in resp
    }


def test_the_reused_policy_is_django_csps_own_for_each_host_and_scheme(settings):
    """The middleware builds the headers once per (scheme, host): each answer equals
    what django-csp builds for that request, whichever came first."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from deliberation.security import ContentSecurityPolicyMiddleware

    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    for _ in range(2):
        for host in ("one.example", "two.example"):
            for secure in (False, True):
                request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
                ours = middleware(request)
                scheme = "wss" if secure else "ws"
                assert _directives(ours)["connect-src"] == [
                    "'self'",
                    f"{scheme}://{host}",
                ]
                # django-csp's own, for comparison: our parts, its builder
                fresh = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
                fresh._cacheable = lambda *a: False  # type: ignore[method-assign]
                theirs = fresh(RequestFactory().get("/", HTTP_HOST=host, secure=secure))
                assert _policy_headers(ours) == _policy_headers(theirs)
    assert isinstance(middleware, CSPMiddleware)


def test_a_view_that_changes_its_policy_or_uses_a_nonce_gets_it_built(settings):
    from csp.constants import NONCE
    from csp.decorators import csp_update
    from django.http import HttpResponse
    from django.test import RequestFactory

    from deliberation.security import ContentSecurityPolicyMiddleware

    @csp_update({"img-src": ["https://img.example"]})
    def updated(request):
        return HttpResponse()

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    plain = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    plain(RequestFactory().get("/"))  # the plain policy is now reused
    resp = ContentSecurityPolicyMiddleware(updated)(RequestFactory().get("/"))
    assert "https://img.example" in _directives(resp)["img-src"]
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "script-src": ["'self'", NONCE]}
    }
    middleware = ContentSecurityPolicyMiddleware(with_nonce)
    for _ in range(2):
        resp = middleware(RequestFactory().get("/"))
        nonce = resp.content.decode()
        assert f"'nonce-{nonce}'" in _directives(resp)["script-src"]


def test_a_changed_policy_setting_is_not_answered_from_the_old_headers(settings):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from deliberation.security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    before = middleware(RequestFactory().get("/"))
    assert _directives(before)["img-src"] == ["'self'", "data:"]
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "img-src": ["'self'"]}
    }
    assert _directives(middleware(RequestFactory().get("/")))["img-src"] == ["'self'"]


def test_a_nonce_asked_for_after_the_header_was_written_fails():
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse
    from django.test import RequestFactory

    from deliberation.security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    for _ in range(2):
        request = RequestFactory().get("/")
        middleware(request)
        with pytest.raises(CSPNonceError):
            str(request.csp_nonce)
