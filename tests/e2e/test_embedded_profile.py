"""`make run`'s profile: SQLite in WAL mode, in-memory channel layer, eager Celery, one
ASGI process — started the way `make run` starts it, then used over HTTP."""

from __future__ import annotations

import sqlite3
import sys

import httpx
import pytest

from tests.e2e.servers import Process, free_port, manage

pytestmark = pytest.mark.e2e


def test_database_is_sqlite_in_wal_mode(embedded_server):
    db = embedded_server["data_dir"] / "torget.sqlite3"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_seed_demo_is_idempotent(embedded_server):
    out = manage("seed_demo", env=embedded_server["env"]).stdout
    assert "305 members (0 new)" in out


def test_pages_answer(embedded_server):
    with httpx.Client(base_url=embedded_server["url"], timeout=10) as client:
        for path in [
            "/",
            "/units/",
            "/audit/",
            "/accounts/login/",
            "/api/docs/",
            "/api/schema/",
        ]:
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)
        assert client.get("/static/torget/css/torget.css").status_code == 200


def test_api_sign_in_and_read(embedded_server):
    with httpx.Client(base_url=embedded_server["url"], timeout=10) as client:
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": "anna", "password": "demo-pass-2026"},
        ).json()
        headers = {"Authorization": f"Token {token['token']}"}
        me = client.get("/api/v1/me/", headers=headers).json()
        assert me["username"] == "anna"
        assert me["memberships"][0]["unit"]["code"] == "sodermalm"
        units = client.get("/api/v1/units/").json()["results"]
        kinds = [u["kind"] for u in units]
        assert kinds.count("district") == 3
        assert kinds.count("municipality") == 6
        assert kinds.count("branch") == 12
        national = next(u for u in units if u["kind"] == "national")
        assert national["member_count"] == 305
        roles = client.get("/api/v1/roles/", headers=headers).json()["results"]
        assert {(r["member"]["username"], r["role"]) for r in roles} >= {
            ("bo", "facilitator"),
            ("cecilia", "moderator"),
            ("david", "delegate"),
        }
        bad = client.post(
            "/api/v1/auth/token/", json={"username": "anna", "password": "x"}
        )
        assert bad.status_code == 400
        assert bad.json()["detail"]


def test_debug_pages_only_on_loopback(embedded_server, tmp_path):
    """`HOST=0.0.0.0 make run` serves ordinary error pages and says so; the loopback
    server of the fixture keeps Django's debug pages."""
    with httpx.Client(base_url=embedded_server["url"], timeout=10) as client:
        debug_page = client.get("/no-such-page/")
    assert debug_page.status_code == 404
    assert "URLconf" in debug_page.text  # Django's technical 404
    port = free_port()
    server = Process(
        [
            sys.executable,
            "manage.py",
            "runserver_embedded",
            "--host",
            "0.0.0.0",  # noqa: S104 — what a meeting room does; we call it on loopback
            "--port",
            str(port),
            "--no-beat",
        ],
        embedded_server["env"],
        tmp_path / "open-server.log",
        port=port,
    ).start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            page = client.get("/no-such-page/")
            assert client.get("/").status_code == 200
        out = server.output()
    finally:
        server.stop()
    assert page.status_code == 404
    assert "URLconf" not in page.text
    assert "Page not found" in page.text
    assert "DEBUG is off" in out
