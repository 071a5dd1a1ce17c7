"""What the benchmarks share: a throw-away PostgreSQL database, the production profile's
processes (gunicorn for HTTP, uvicorn for websockets, as tests/e2e start them), timings
over real HTTP next to the bare Django view `/bench/hello/` in the same server process,
and targets — `Report.finish()` exits 1 when any figure misses its target, so
`make bench` fails.

Not a benchmark itself (make bench runs bench/bench_*.py)."""

from __future__ import annotations

import math
import os
import re
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.e2e.servers import (  # noqa: E402
    Process,
    bin_path,
    clean_env,
    create_database,
    drop_database,
    free_port,
)

SECRET = "bench-" + "s" * 60
HELLO = "/bench/hello/"


def base_database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/torget"
    if not url.startswith("postgres"):
        sys.exit("the benchmarks need DATABASE_URL pointing at PostgreSQL")
    return url


def redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    return re.sub(r"/\d+$", "", base) + f"/{db}"


def production_env(database_url: str, redis: str, **extra: str) -> dict[str, str]:
    """The production profile's environment (DEBUG off, PostgreSQL, Redis), plus the
    hello route. Served over plain HTTP on 127.0.0.1 (no TLS proxy in front)."""
    return clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=database_url,
        REDIS_URL=redis,
        BEHIND_TLS_PROXY="0",
        SITE_URL="http://127.0.0.1",
        TORGET_BENCH_HELLO="1",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",  # testserver: query counts
        LOG_LEVEL="WARNING",
        **extra,
    )


def use_in_this_process(env: dict[str, str]) -> None:
    """Configure Django in the benchmark process with the servers' environment (the
    data is created here, with the same database, Redis and secret key)."""
    for key in ("TORGET_TESTING", "DJANGO_SETTINGS_MODULE"):
        os.environ.pop(key, None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "deliberation.settings"
    # WhiteNoise warns that collectstatic has not run; no static file is timed here.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def wait_ok(url: str, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"server exited:\n{process.output()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer:\n{process.output()}")


class Server(Process):
    """A started server process and where it answers."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, port: int):
        super().__init__(argv, env, log, port=port)
        self.url = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}"


def start_gunicorn(
    env: dict[str, str], log: Path, workers: int = 1, config: bool = False
) -> Server:
    """gunicorn as the production profile runs it (sync workers); `config` also reads
    deploy/gunicorn.conf.py, as deploy/Procfile does."""
    port = free_port()
    conf = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")] if config else []
    process = Server(
        [
            bin_path("gunicorn"),
            "deliberation.wsgi:application",
            *conf,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env,
        log,
        port,
    )
    process.start()
    wait_ok(process.url + HELLO, process)
    return process


def start_uvicorn(env: dict[str, str], log: Path) -> Server:
    """uvicorn for /ws/, as the production profile runs it."""
    port = free_port()
    process = Server(
        [
            bin_path("uvicorn"),
            "deliberation.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--ws",
            "websockets-sansio",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ],
        env,
        log,
        port,
    )
    process.start()
    wait_ok(process.url + HELLO, process)
    return process


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; a lost delivery is `math.inf` and stays in."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class HttpTiming:
    median: float
    p90: float
    hello: float  # median of /bench/hello/, interleaved with these requests

    @property
    def ratio(self) -> float:
        return self.median / self.hello


def time_http(client: httpx.Client, path: str, n: int, *, warm: int = 5) -> HttpTiming:
    """`n` GETs of `path` over real HTTP, each right after a GET of /bench/hello/ on
    the same server, so both see the same machine."""
    for _ in range(warm):
        assert client.get(path).status_code == 200, path
        client.get(HELLO)
    samples, hellos = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(HELLO)
        t1 = time.perf_counter()
        resp = client.get(path)
        t2 = time.perf_counter()
        assert resp.status_code == 200, (path, resp.status_code)
        hellos.append((t1 - t0) * 1000)
        samples.append((t2 - t1) * 1000)
    return HttpTiming(
        statistics.median(samples), percentile(samples, 90), statistics.median(hellos)
    )


@dataclass
class Row:
    label: str
    figure: str
    value: float
    target: float
    unit: str = "ms"

    @property
    def ok(self) -> bool:
        return self.value < self.target


class Report:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[Row] = []

    def add(
        self, label: str, figure: str, value: float, target: float, unit: str = "ms"
    ) -> Row:
        row = Row(label, figure, value, target, unit)
        self.rows.append(row)
        verdict = "OK" if row.ok else "MISSED"
        print(f"  {label:40s} {figure}  (target < {target:g} {unit}) {verdict}")
        return row

    def finish(self) -> None:
        missed = [r for r in self.rows if not r.ok]
        if missed:
            print(f"{self.title}: {len(missed)} of {len(self.rows)} figures missed:")
            for r in missed:
                print(f"  {r.label}: {r.value:.1f} {r.unit}, target < {r.target:g}")
            sys.exit(1)
        print(f"{self.title}: all {len(self.rows)} figures within target")


__all__ = [
    "HELLO",
    "Process",
    "Report",
    "Server",
    "base_database_url",
    "create_database",
    "drop_database",
    "percentile",
    "production_env",
    "redis_url",
    "start_gunicorn",
    "start_uvicorn",
    "time_http",
    "use_in_this_process",
]
