"""The production profile's processes for end-to-end tests, as deploy/Procfile starts
them (uvicorn, gunicorn, Celery worker and beat), and the clients that watch them: a
thread watcher that reconnects and resumes by `seq` as a client must, and a /healthz
poller that records every answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from pathlib import Path

import httpx
import websockets

from tests.e2e.servers import Process, bin_path, manage


def uvicorn(port: int, env: dict[str, str], log: Path) -> Process:
    return Process(
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
            "--no-access-log",
        ],
        env,
        log,
        port=port,
    )


def celery_worker(env: dict[str, str], log: Path) -> Process:
    return Process(
        [
            bin_path("celery"),
            "-A",
            "deliberation",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
    )


def celery_beat(env: dict[str, str], log: Path, schedule: Path) -> Process:
    return Process(
        [
            bin_path("celery"),
            "-A",
            "deliberation",
            "beat",
            "--loglevel=INFO",
            "-s",
            str(schedule),
        ],
        env,
        log,
    )


def forget_queue(redis_url: str, queue: str) -> None:
    """Delete a test's own Celery queue (and its binding) from a shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    finally:
        client.close()


DISCARD_DEMO_NOTIFICATIONS = """
from django.utils import timezone
from deliberation.notifications.models import NotificationEvent
n = NotificationEvent.objects.filter(delivered=None).update(delivered=timezone.now())
print(n)
"""


def seed_demo_quietly(env: dict[str, str], redis_url: str, queue: str) -> None:
    """Migrate and `seed_demo`, without the demo's own notifications (hundreds of
    e-mails): their tasks go to `queue`, which no worker reads and which is deleted
    after, and their events are marked handed out — so a worker's queue starts empty
    and a test's one e-mail never waits minutes behind them."""
    from tests.e2e.conftest import run_django

    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env | {"CELERY_QUEUE": queue})
    forget_queue(redis_url, queue)
    run_django(env, DISCARD_DEMO_NOTIFICATIONS)


def wait_for_log(process: Process, text: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while text not in process.output():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


class Watcher:
    """A thread's websocket client as a real one behaves: connected to one of
    `servers` (host:port); when the connection drops it connects to the next one that
    answers and sends `{"type": "resume", "after_seq": <last seq it saw>}`. Every
    event of the seq stream it receives is kept in `events`, in arrival order, so a
    test can see a loss, a double or a reordering. With `ping_every` it sends the
    keep-alive ping live.js sends (every 25 s there)."""

    def __init__(
        self,
        servers: list[str],
        thread_id: int,
        token: str,
        after_seq: int = 0,
        ping_every: float | None = None,
    ):
        self.servers, self.thread_id, self.token = servers, thread_id, token
        self.after_seq, self.ping_every = after_seq, ping_every
        self.events: list[dict] = []
        self.connections: list[str] = []  # the server of each successful connection
        self.connected_at: list[float] = []  # and when (monotonic)
        self.stopped = asyncio.Event()
        self.task: asyncio.Task | None = None

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    @property
    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else self.after_seq

    def start(self) -> Watcher:
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> None:
        self.stopped.set()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def wait_for_seq(self, seq: int, timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while self.last_seq < seq:
                if self.task is not None and self.task.done():
                    self.task.result()  # raises what ended it
                await asyncio.sleep(0.05)

    async def wait_connected(self, count: int = 1, timeout: float = 15) -> None:
        async with asyncio.timeout(timeout):
            while len(self.connections) < count:
                await asyncio.sleep(0.05)

    async def _run(self) -> None:
        i = 0
        while not self.stopped.is_set():
            server = self.servers[i % len(self.servers)]
            url = f"ws://{server}/ws/threads/{self.thread_id}/?token={self.token}"
            try:
                async with websockets.connect(url, open_timeout=5) as ws:
                    await ws.send(
                        json.dumps({"type": "resume", "after_seq": self.last_seq})
                    )
                    self.connections.append(server)
                    self.connected_at.append(time.monotonic())
                    pinger = asyncio.create_task(self._ping(ws))
                    try:
                        async for raw in ws:
                            event = json.loads(raw)
                            if event.get("seq") is not None:
                                self.events.append(event)
                    finally:
                        pinger.cancel()
            except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
                pass
            # dropped or refused: the next server, after a short pause
            i += 1
            await asyncio.sleep(0.2)

    async def _ping(self, ws) -> None:
        if self.ping_every is None:
            return
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            while True:
                await asyncio.sleep(self.ping_every)
                await ws.send('{"type": "ping"}')


class HealthPoller:
    """Asks `url` (/healthz) every `interval` seconds in a thread; keeps each answer
    as (asked at, answered at — monotonic —, status code or None when nothing
    answered, body)."""

    def __init__(self, url: str, interval: float = 0.25):
        self.url, self.interval = url, interval
        self.answers: list[tuple[float, float, int | None, dict | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                asked = time.monotonic()
                try:
                    answer = client.get(self.url)
                    code, body = answer.status_code, answer.json()
                except httpx.HTTPError:
                    code, body = None, None
                self.answers.append((asked, time.monotonic(), code, body))
                self._stop.wait(self.interval)

    def within(self, start: float, end: float) -> list[tuple[int | None, dict | None]]:
        """The answers asked and answered between start and end."""
        return [
            (code, body)
            for asked, answered, code, body in self.answers
            if start <= asked and answered <= end
        ]


def healthy(answer: tuple[int | None, dict | None]) -> bool:
    code, body = answer
    return (
        code == 200
        and body is not None
        and body["status"] == "ok"
        and all(check["ok"] for check in body["checks"].values())
    )
