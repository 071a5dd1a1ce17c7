"""Server-process fixtures for the live-thread end-to-end tests and benchmarks.

`asgi_servers(n, env)` starts n real `uvicorn deliberation.asgi:application` processes
on free ports in 18100–18199 and waits until each answers HTTP; `live_database` is a
dedicated PostgreSQL database, migrated by a `manage.py migrate` subprocess. Every
process is killed at the end, whatever happens."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.private_servers import (  # noqa: F401 (fixtures for tests/e2e)
    private_database,
    private_postgres,
    private_redis,
)
from tests.e2e.servers import Process, clean_env, create_database, drop_database, manage

PORT_RANGE = range(18100, 18200)
ROOT = Path(__file__).resolve().parents[2]


def free_port_in_range(ports=PORT_RANGE) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100–18199")


def wait_http(url: str, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"server exited:\n{process.output()}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer:\n{process.output()}")


def start_asgi_server(env: dict[str, str], log: Path, port: int | None = None) -> dict:
    """One uvicorn process serving HTTP and websockets; returns url/ws/process."""
    port = port or free_port_in_range()
    process = Process(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "deliberation.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--ws",
            "websockets",
            "--log-level",
            "warning",
        ],
        env,
        log,
    )
    process.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/units/", process)
    except Exception:
        process.stop()
        raise
    return {
        "port": port,
        "url": f"http://127.0.0.1:{port}",
        "ws": f"ws://127.0.0.1:{port}",
        "process": process,
    }


def run_redis_url() -> str:
    """The test run's Redis database (REDIS_URL): share it with your own channel,
    cache and queue names, never FLUSHDB it."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def run_django(env: dict[str, str], code: str) -> dict:
    """Run Python in a Django shell against `env`'s database; return its JSON output."""
    out = manage("shell", "-c", code, env=env).stdout.strip().splitlines()
    return json.loads(out[-1])


@pytest.fixture(scope="module")
def live_database():
    """A dedicated, migrated PostgreSQL database (DATABASE_URL's server)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.fail("live e2e tests need DATABASE_URL pointing at PostgreSQL")
    name = f"torget_e2e_live_{os.getpid()}"  # parallel runs never share it
    url = create_database(base, name)
    manage("migrate", "--noinput", env=clean_env(DATABASE_URL=url))
    yield url
    drop_database(base, name)


@pytest.fixture
def asgi_servers(tmp_path):
    """Factory: `asgi_servers(2, env)` → list of started servers; all stopped after."""
    started: list[dict] = []

    def start(n: int, env: dict[str, str]) -> list[dict]:
        for i in range(n):
            started.append(
                start_asgi_server(env, tmp_path / f"asgi-{len(started)}-{i}.log")
            )
        return started[-n:]

    yield start
    for server in started:
        server["process"].stop()
