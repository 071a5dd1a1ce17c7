"""Websocket watchers for bench_load.py: N members holding thread sockets open on the
uvicorn processes while the Locust members post, counting every `comment.created`
they receive. A lightweight asyncio client (websockets) in a process of its own.

    .venv/bin/python bench/load_watchers.py CONFIG.json OUT.json

CONFIG.json: {"ws": [base urls], "threads": [ids], "tokens": [one per watcher]}.
Watcher i watches threads[i % len(threads)] on ws[i % len(ws)]. Prints one JSON line
`{"ready": n, "at": time}` once every socket is open (the consumer joins the thread's
group before it accepts, so an open socket is a subscribed one); on SIGTERM it closes
them and writes, per watcher, its thread and the comment ids it received with the
wall-clock time of arrival. A socket that drops reconnects and resumes after the last
seq it saw (as the page's client does); those events are counted as resumed, not live.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
import time

import websockets


class Watcher:
    def __init__(self, url: str, thread: int) -> None:
        self.url, self.thread = url, thread
        self.live: dict[int, float] = {}
        self.resumed: dict[int, float] = {}
        self.drops = 0
        self.last_seq = 0

    async def connect(self):
        for attempt in range(6):
            try:
                return await websockets.connect(
                    self.url,
                    compression=None,
                    ping_interval=None,
                    open_timeout=30,
                    max_queue=None,
                )
            except (OSError, websockets.InvalidStatus, TimeoutError):
                if attempt == 5:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    async def read(self, ws, stop: asyncio.Event) -> None:
        into = self.live
        while not stop.is_set():
            try:
                async for raw in ws:
                    if '"comment.created"' not in raw:
                        continue
                    event = json.loads(raw)
                    self.last_seq = max(self.last_seq, int(event.get("seq") or 0))
                    into.setdefault(int(event["id"]), time.time())
                return
            except websockets.ConnectionClosed:
                if stop.is_set():
                    return
                self.drops += 1
                into = self.resumed
                ws = await self.connect()
                await ws.send(
                    json.dumps({"type": "resume", "after_seq": self.last_seq})
                )


async def main_async(config: dict, out: str) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 20_000), hard), hard))
    threads, bases = config["threads"], config["ws"]
    watchers = [
        Watcher(
            f"{bases[i % len(bases)]}/ws/threads/{threads[i % len(threads)]}/"
            f"?token={token}",
            threads[i % len(threads)],
        )
        for i, token in enumerate(config["tokens"])
    ]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sockets = []
    t0 = time.perf_counter()
    for start in range(0, len(watchers), 50):
        batch = watchers[start : start + 50]
        sockets += await asyncio.gather(*(w.connect() for w in batch))
    tasks = [
        asyncio.create_task(w.read(ws, stop))
        for w, ws in zip(watchers, sockets, strict=True)
    ]
    print(
        json.dumps(
            {
                "ready": len(sockets),
                "at": time.time(),
                "seconds": time.perf_counter() - t0,
            }
        ),
        flush=True,
    )
    await stop.wait()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for t in tasks:
        t.cancel()
    with open(out, "w") as f:
        json.dump(
            [
                {
                    "thread": w.thread,
                    "live": w.live,
                    "resumed": w.resumed,
                    "drops": w.drops,
                }
                for w in watchers
            ],
            f,
        )


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        asyncio.run(main_async(json.load(f), sys.argv[2]))
