"""`make run` keeps DEBUG pages for loopback only (issue 7 §5)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from deliberation.members.management.commands.runserver_embedded import (
    debug_for,
    is_loopback,
)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("192.168.1.20", False),
        ("torget-laptop", False),
    ],
)
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_debug_only_on_loopback_unless_asked_for(settings):
    settings.DEBUG = True  # the development default
    assert debug_for("127.0.0.1", None) is True
    assert debug_for("0.0.0.0", None) is False  # noqa: S104
    assert debug_for("192.168.1.20", "") is False
    assert debug_for("0.0.0.0", "1") is True  # noqa: S104 — set on purpose
    assert debug_for("127.0.0.1", "0") is False
    settings.DEBUG = False
    assert debug_for("127.0.0.1", None) is False


@pytest.mark.urls("tests.deliberation.boom_urls")
def test_without_debug_a_visitor_gets_the_ordinary_page_and_the_log_the_traceback(
    db, settings, caplog
):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        resp = client.get("/boom/")
    assert resp.status_code == 500
    body = resp.content.decode()
    assert "kaboom-7f3a" not in body
    assert "Traceback" not in body
    assert "Something went wrong" in body
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info is not None
    assert "kaboom-7f3a" in str(record.exc_info[1])
