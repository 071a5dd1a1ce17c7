"""Real server processes for end-to-end tests: start, wait until they answer, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh process: no test-only variables unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "TORGET_TESTING",
            "DJANGO_SETTINGS_MODULE",
            "EMAIL_URL",
            "TORGET_ENV",
        }
    }
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


class Process:
    def __init__(
        self, argv: list[str], env: dict[str, str], log: Path, port: int | None = None
    ):
        self.argv, self.env, self.log_path, self.port = argv, env, log, port
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Process:
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.port:
            wait_for_port(self.port, timeout, self)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if hasattr(self, "log"):
            self.log.close()


def wait_for_port(port: int, timeout: float, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.argv[0]} exited:\n{process.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on port {port}")


def bin_path(name: str) -> str:
    return str(VENV_BIN / name)


def create_database(base_url: str, name: str) -> str:
    """Create (or re-create) a PostgreSQL database next to base_url's; return its
    URL."""
    import psycopg

    prefix, _ = base_url.rsplit("/", 1)
    with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{prefix}/{name}"


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    prefix, _ = base_url.rsplit("/", 1)
    with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_async(coro_factory, timeout: float = 120):
    """Run `coro_factory()` to completion in a fresh thread with its own event loop.

    Playwright's sync API keeps an event loop running in the main thread for the whole
    session, so `asyncio.run` cannot be used directly in tests that run after it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result(timeout)
