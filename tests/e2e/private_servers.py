"""A PostgreSQL and a Redis of the test's own, to stop, kill and restart (fault tests),
so the shared servers on 5432 and 6379 are never touched.

    pg = PrivatePostgres().start()                   # initdb once, then postgres
    url = pg.create_database("torget")              # postgres://postgres@127.0.0.1:P/torget
    pg.clone_database(source_url, "torget")         # pg_dump | psql: a migrated copy
    pg.stop(); pg.start()                            # an outage, same port, data kept
    pg.restart(mode="immediate")                     # a crash (recovery on start)
    pg.kill()                                        # SIGKILL the postmaster

    redis = PrivateRedis().start()                   # redis-server --port P --save ''
    redis.url(1); redis.stop(); redis.start()        # data lost: no persistence
    redis.restart(down_for=2)

Fixtures (registered for tests/e2e in its conftest): `private_postgres` (one server
per test module: initdb costs seconds), `private_database` (a migrated clone on it,
per test) and `private_redis` (one per test). All stopped at the end whatever
happens.
`migrated_clone(pg, name)` copies the session's migrated test database (pytest-django's)
into `pg` in a second or two instead of running the migrations again.

PostgreSQL: the binaries under /usr/lib/postgresql/<highest>/bin (or `pg_config
--bindir`), trust authentication, TCP on 127.0.0.1 only (no Unix socket), fsync off
(a test server: a killed postmaster still recovers, only a machine crash would lose
data). As root (CI) the server runs as the `postgres` user, as initdb demands."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.servers import free_port
from tests.redis_server import RedisServer


def postgres_bindir() -> Path:
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0,
    )
    if dirs:
        return Path(dirs[-1])
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    pytest.fail("PostgreSQL server binaries (initdb, postgres) are not installed")


def _as_postgres_user() -> dict[str, Any]:
    """Popen arguments that drop root to the `postgres` user (initdb refuses root)."""
    if os.geteuid() != 0:
        return {}
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root needs a 'postgres' user for initdb")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


class PrivatePostgres:
    """One PostgreSQL cluster in a fresh folder under the system's temporary folder
    (pytest's own is root-only; the server may run as `postgres`), on a free port
    chosen once: a restart comes back on the same port, as a real server does.
    `cleanup()` stops it and removes the folder."""

    def __init__(self, port: int | None = None) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="torget-pg-"))
        self.data = self.directory / "data"
        self.log_path = self.directory / "postgres.log"
        self.port = port or free_port()
        self.bindir = postgres_bindir()
        self.proc: subprocess.Popen | None = None
        self._user = _as_postgres_user()

    # --- addresses ------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    # --- life cycle -----------------------------------------------------------------
    def _chown(self, path: Path) -> None:
        if self._user:
            os.chown(path, self._user["user"], self._user["group"])

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._chown(self.directory)
        result = subprocess.run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            **self._user,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def start(self, timeout: float = 60) -> PrivatePostgres:
        """Start the server (initdb first if there is no cluster yet); wait until it
        accepts connections."""
        if not (self.data / "PG_VERSION").exists():
            self.init()
        log = open(self.log_path, "a")  # noqa: SIM115 (the child keeps it)
        self._chown(self.log_path)
        self.proc = subprocess.Popen(
            [
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **self._user,
        )
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log()}")
            ready = subprocess.run(
                [
                    str(self.bindir / "pg_isready"),
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError(f"postgres did not accept connections:\n{self.log()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, mode: str = "fast", timeout: float = 30) -> None:
        """Shut down: "smart" waits for clients, "fast" disconnects them (an
        operator's restart), "immediate" aborts without a checkpoint (recovery on
        the next start, like a crash)."""
        if not self.alive():
            self.proc = None
            return
        assert self.proc is not None
        sig = {
            "smart": signal.SIGTERM,
            "fast": signal.SIGINT,
            "immediate": signal.SIGQUIT,
        }[mode]
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the whole server (postmaster and backends): the next start
        recovers from the WAL."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def restart(self, mode: str = "fast", down_for: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    # --- databases ------------------------------------------------------------------
    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
            + ["-d", self.url(database), "-c", sql],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        """(Re-)create an empty database; its URL."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def clone_database(self, source_url: str, name: str) -> str:
        """A copy of `source_url`'s database (schema and rows, pg_dump | psql) as
        `name` here; its URL."""
        target = self.create_database(name)
        dump = subprocess.Popen(
            [str(self.bindir / "pg_dump"), "--no-owner", "--no-privileges", source_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        load = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
            + ["-d", target],
            stdin=dump.stdout,
            capture_output=True,
            text=True,
        )
        assert dump.stdout is not None
        dump.stdout.close()
        _, dump_err = dump.communicate()
        if dump.returncode != 0 or load.returncode != 0:
            raise RuntimeError(f"clone failed: {dump_err!r} {load.stderr}")
        return target


class PrivateRedis(RedisServer):
    """`redis-server --port <free> --save '' --appendonly no` (tests/redis_server.py)
    with `restart()`: the data is gone afterwards, as after a real restart without
    persistence."""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


def source_database_url() -> str:
    """The URL of the session's migrated test database (pytest-django's), to clone."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def migrated_clone(pg: PrivatePostgres, name: str = "torget") -> str:
    """A migrated Torget database on `pg` (copied from the session's test database,
    whose rows transactional tests leave empty); its URL."""
    return pg.clone_database(source_database_url(), name)


@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL server of this module's own; stopped and removed at the end."""
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def private_database(private_postgres, db):
    """A migrated Torget database on `private_postgres` (a fresh clone per test).
    It asks for `db` so that pytest-django creates the session's test database,
    the clone's source, even when no other test of the run needs it."""
    return migrated_clone(private_postgres, "torget")


@pytest.fixture
def private_redis():
    """A Redis server of this test's own; stopped at the end."""
    server = PrivateRedis().start()
    yield server
    server.stop()
