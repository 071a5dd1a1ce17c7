"""CPU of each part of the production profile during bench_load.py, sampled with
psutil once a second in a thread: gunicorn (master and workers), uvicorn, the Celery
worker, the PostgreSQL backends serving the benchmark's database (their process title
names it), all of PostgreSQL and all Redis (shared servers: other sessions' work is in
those two), the load generators (Locust, the watchers) and the whole machine.
`usage(start, end)` gives each group's CPU in % of one core over a window, and
`waiting(start, end)` the time its processes were runnable but waiting for a CPU
(/proc/PID/schedstat, in % of one core too): the sign of a CPU-starved part. Each
process group started in its own session is one scheduling group to the kernel
(autogroup): under contention the 3 gunicorn workers together get about the share of
one other session's process."""

from __future__ import annotations

import threading
import time

import psutil


class Sampler:
    def __init__(self, roots: dict[str, list[int]], database: str) -> None:
        self.roots, self.database = roots, database
        # (wall time, {group: cpu s}, {group: run-queue wait s}, machine cpu s)
        self.samples: list[tuple[float, dict, dict, float]] = []
        self.seen: dict[tuple[str, int], tuple[float, float]] = {}  # cpu s, wait s
        self.procs: dict[int, psutil.Process] = {}
        self.capacity: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _groups(self) -> dict[str, list[psutil.Process]]:
        groups: dict[str, list[psutil.Process]] = {}
        for name, pids in list(self.roots.items()):
            members = []
            for pid in pids:
                try:
                    root = self._proc(pid)
                    members += [root, *root.children(recursive=True)]
                except psutil.Error:
                    continue
            groups[name] = members
        mine, pg, redis = [], [], []
        for proc in psutil.process_iter(["name", "cmdline"]):
            name = proc.info["name"] or ""
            if name.startswith("postgres"):
                pg.append(proc)
                title = " ".join(proc.info["cmdline"] or [])
                if f" {self.database} " in f" {title} ":
                    mine.append(proc)
            elif name.startswith("redis-server"):
                redis.append(proc)
        groups["postgres (bench db backends)"] = mine
        groups["postgres (all, shared)"] = pg
        groups["redis-server (shared)"] = redis
        return groups

    def _proc(self, pid: int) -> psutil.Process:
        if pid not in self.procs:
            self.procs[pid] = psutil.Process(pid)
        return self.procs[pid]

    def _run(self) -> None:
        while not self._stop.is_set():
            totals: dict[str, float] = {}
            waits: dict[str, float] = {}
            for group, procs in self._groups().items():
                for proc in procs:
                    try:
                        with open(f"/proc/{proc.pid}/schedstat") as f:
                            on_cpu, waited, _slices = f.read().split()
                        self.seen[(group, proc.pid)] = (
                            int(on_cpu) / 1e9,
                            int(waited) / 1e9,
                        )
                    except (OSError, ValueError):
                        pass  # gone: its last seen times stay counted
                mine = [v for (g, _pid), v in self.seen.items() if g == group]
                totals[group] = sum(c for c, _w in mine)
                waits[group] = sum(w for _c, w in mine)
                if not group.startswith(("postgres", "redis")):
                    self.capacity[group] = max(
                        self.capacity.get(group, 0), _busy_processes(group, procs)
                    )
            cpu = psutil.cpu_times()
            self.samples.append((time.time(), totals, waits, cpu.user + cpu.system))
            self._stop.wait(1.0)

    def usage(self, start: float, end: float) -> dict[str, float]:
        """Each group's CPU in % of one core between start and end (wall clock)."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {}
        (t0, a, _wa, m0), (t1, b, _wb, m1) = inside[0], inside[-1]
        out = {g: 100 * (b[g] - a.get(g, 0.0)) / (t1 - t0) for g in b}
        out["machine (all processes)"] = 100 * (m1 - m0) / (t1 - t0)
        return out

    def waiting(self, start: float, end: float) -> dict[str, float]:
        """Each group's time runnable but not running, in % of one core."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {}
        (t0, _a, wa, _m0), (t1, _b, wb, _m1) = inside[0], inside[-1]
        return {g: 100 * (wb[g] - wa.get(g, 0.0)) / (t1 - t0) for g in wb}


def _busy_processes(group: str, procs: list[psutil.Process]) -> int:
    """The cores a group can use: gunicorn's and Celery's masters only supervise."""
    n = len(procs)
    if group.startswith(("gunicorn", "celery")) and n > 1:
        n -= 1
    return n
