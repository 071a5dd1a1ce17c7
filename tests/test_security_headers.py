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
