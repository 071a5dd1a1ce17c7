"""What bench_load.py prints: per step and endpoint rps, p50/p95/p99 and failures,
the watchers' deliveries, what saturated first, each figure next to its baseline from
the same run, and the verdict (True: a target was missed)."""

from __future__ import annotations

import math
import re
import statistics

import psutil
from harness import percentile

TARGET_P95 = 200.0  # ms, every endpoint at the target load
SIGN_IN = "sign in"  # PBKDF2 by design (README "Sign-in limits"): reported apart
HELLO = "baseline /bench/hello/"


def database_counts() -> dict[str, int]:
    from deliberation.discussions.models import Comment
    from deliberation.members.models import Member
    from proposals.models import Proposal
    from voting.models import Poll

    return {
        "members": Member.objects.count(),
        "proposals": Proposal.objects.count(),
        "comments": Comment.objects.count(),
        "polls": Poll.objects.count(),
    }


def rows_timed(step: dict) -> dict[str, dict]:
    """The endpoints a target applies to: all but the sign-in and the baseline."""
    return {
        name: row
        for name, row in step["rows"].items()
        if not name.startswith(SIGN_IN) and name != HELLO
    }


def worst_p95(step: dict) -> tuple[str, float]:
    rows = rows_timed(step)
    if not rows:
        return "-", 0.0
    name = max(rows, key=lambda n: rows[n]["p95"])
    return name, rows[name]["p95"]


def within(step: dict) -> bool:
    return step["failures"] == 0 and worst_p95(step)[1] < TARGET_P95


def print_step(step: dict, usage: dict[str, float], wait: dict[str, float]) -> None:
    hello = step["rows"].get(HELLO, {}).get("p50")
    name, p95 = worst_p95(step)
    print(
        f"\n{step['phase']} step, {step['users']} users, "
        f"{step['end'] - step['start']:.0f} s: {step['rps']:.1f} req/s, "
        f"{step['failures']} failed; worst p95 {p95:.0f} ms ({name})"
    )
    print(
        f"  {'endpoint':36s} {'req/s':>7s} {'p50':>6s} {'p95':>6s} {'p99':>6s} "
        f"{'fail':>5s} {'p50/hello':>9s}"
    )
    for name, r in sorted(step["rows"].items(), key=lambda kv: -kv[1]["requests"]):
        print(
            f"  {name:36s} {r['rps']:7.1f} {r['p50']:6.0f} {r['p95']:6.0f} "
            f"{r['p99']:6.0f} {r['failures']:5d} "
            + (f"{r['p50'] / hello:8.1f}×" if hello else f"{'-':>9s}")
        )
    busy = ", ".join(
        f"{g} {v:.0f}%" + (f" (+{wait[g]:.0f}% waiting)" if wait.get(g, 0) >= 1 else "")
        for g, v in sorted(usage.items())
    )
    print(f"  CPU, % of one core (+ runnable but waiting for a CPU): {busy}")


def utilisation(usage: dict, wait: dict, capacity: dict[str, int]) -> list:
    """Each group's demand (CPU used + time waiting for one) as a share of the cores
    it could use, most wanting first."""
    cores = psutil.cpu_count() or 1
    out = []
    for group, pct in usage.items():
        if "shared" in group:
            continue
        cap = capacity.get(group) or cores
        want = pct + wait.get(group, 0.0)
        out.append((want / (100 * cap), group, pct, wait.get(group, 0.0), cap))
    return sorted(out, reverse=True)


def deliveries(created: list, watched: list) -> dict:
    by_thread: dict[int, list] = {}
    for w in watched:
        by_thread.setdefault(w["thread"], []).append(w)
    live, resumed, lost, latencies = 0, 0, 0, []
    for thread, cid, sent in created:
        for w in by_thread.get(thread, []):
            key = str(cid)
            if key in w["live"]:
                live += 1
                latencies.append((w["live"][key] - sent) * 1000)
            elif key in w["resumed"]:
                resumed += 1
            else:
                lost += 1
    hot = [c for c in created if c[0] in by_thread]
    return {
        "comments": len(hot),
        "expected": live + resumed + lost,
        "live": live,
        "resumed": resumed,
        "lost": lost,
        "drops": sum(w["drops"] for w in watched),
        "p50": statistics.median(latencies) if latencies else math.nan,
        "p99": percentile(latencies, 99) if latencies else math.nan,
    }


def celery_tasks(log: str) -> tuple[dict[str, list[float]], int]:
    """The worker's tasks from its log (-l info): seconds per task name, and how many
    raised."""
    done: dict[str, list[float]] = {}
    for name, seconds in re.findall(
        r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s", log
    ):
        done.setdefault(name, []).append(float(seconds))
    return done, len(re.findall(r"Task [\w.]+\[[^\]]+\] raised", log))


def report(
    *,
    result,
    watched,
    sampler,
    raw_pg,
    raw_redis,
    target_users,
    counts,
    how,
    celery_log,
) -> bool:
    steps = result["steps"]
    hello = next(s for s in steps if s["phase"] == "hello")
    day = [s for s in steps if s["phase"] == "day"]
    voting = next(s for s in steps if s["phase"] == "voting")
    print(
        f"\nDatabase ({how}): {counts['members']:,} members, "
        f"{counts['proposals']:,} proposals, {counts['comments']:,} comments, "
        f"{counts['polls']:,} polls"
    )
    hello_max = hello["rows"][HELLO]
    print(
        f"Baseline, /bench/hello/ at full speed through the same gunicorn "
        f"({hello['users']} users, no think time): {hello_max['rps']:.0f} req/s, "
        f"p50 {hello_max['p50']:.0f} ms, p95 {hello_max['p95']:.0f} ms"
    )
    usages, waits = {}, {}
    for step in steps:
        usages[id(step)] = sampler.usage(step["start"], step["end"])
        waits[id(step)] = sampler.waiting(step["start"], step["end"])
        print_step(step, usages[id(step)], waits[id(step)])

    sign_ins = [t * 1000 for t in result["sign_ins"]]
    print(
        f"\nsign-ins (login page GET + POST, PBKDF2): {len(sign_ins)}, "
        f"p50 {statistics.median(sign_ins):.0f} ms, p95 "
        f"{percentile(sign_ins, 95):.0f} ms, p99 {percentile(sign_ins, 99):.0f} ms; "
        f"one PBKDF2 check in-process {raw_pg['password_ms']:.0f} ms"
        if sign_ins
        else "\nno sign-ins"
    )
    ws = deliveries(result["created"], watched)
    print(
        f"websocket watchers: {len(watched)} sockets; {ws['comments']} comments on "
        f"their threads → {ws['expected']:,} deliveries expected: {ws['live']:,} live, "
        f"{ws['resumed']} after a resume, {ws['lost']} lost ({ws['drops']} drops); "
        f"POST → watcher p50 {ws['p50']:.0f} ms, p99 {ws['p99']:.0f} ms against raw "
        f"Redis pub/sub p50 {raw_redis['p50']:.2f} ms, p99 {raw_redis['p99']:.2f} ms"
    )

    tasks, raised = celery_tasks(celery_log)
    print(
        f"celery worker: {sum(len(v) for v in tasks.values())} tasks, {raised} raised; "
        + ", ".join(
            f"{name} {len(v)}× {sum(v):.1f} s"
            for name, v in sorted(tasks.items(), key=lambda kv: -sum(kv[1]))[:5]
        )
    )

    # Where it saturates: the first day step outside the target, or throughput that
    # stops growing with the users.
    sustainable = None
    saturated = None
    for prev, step in zip([None, *day], day, strict=False):
        grew = (
            prev is None
            or step["rps"] / prev["rps"] >= 0.8 * step["users"] / prev["users"]
        )
        if within(step) and grew:
            sustainable = step
        elif saturated is None:
            saturated = step
    at = saturated or day[-1]
    top = utilisation(usages[id(at)], waits[id(at)], sampler.capacity)
    print(
        f"\nsustainable (0 failed, every endpoint p95 < {TARGET_P95:.0f} ms, "
        "throughput growing with the users): "
        + (
            f"{sustainable['users']} users, {sustainable['rps']:.1f} req/s = "
            f"{sustainable['rps'] / hello_max['rps']:.2f}× hello at full speed"
            if sustainable
            else "none of the steps"
        )
    )
    if result.get("skipped"):
        print(f"day steps skipped, already saturated: {result['skipped']} users")
    print(
        ("saturates at" if saturated else "not saturated up to")
        + f" {at['users']} users ({at['rps']:.1f} req/s, worst p95 "
        f"{worst_p95(at)[1]:.0f} ms); there, each part's CPU used + waited for, as "
        "a share of the cores it could use:"
    )
    for share, group, pct, waited, cap in top[:5]:
        print(
            f"  {group}: {pct:.0f}% + {waited:.0f}% waiting, of {cap} core(s) "
            f"= {share:.0%}"
        )
    at_writes = sustainable or day[0]
    writes = sum(
        r["rps"]
        for n, r in at_writes["rows"].items()
        if n.startswith("API") and ("POST" in n or "support" in n)
    )
    ballots = voting["rows"].get("API ballot POST", {})
    print(
        f"writes at {at_writes['users']} users: {writes:.1f}/s = "
        f"{writes / raw_pg['per_s']:.4f}× raw INSERT ({raw_pg['per_s']:,.0f} rows/s); "
        f"voting peak ({voting['users']} users): {ballots.get('rps', 0):.1f} ballots/s "
        f"= {ballots.get('rps', 0) / raw_pg['per_s']:.4f}× raw INSERT, p95 "
        f"{ballots.get('p95', 0):.0f} ms"
    )

    target = next((s for s in day if s["users"] >= target_users), day[0])
    missed = []
    if not within(target):
        missed.append(
            f"target load {target['users']} users: {target['failures']} failed, "
            f"worst p95 {worst_p95(target)[1]:.0f} ms (target < {TARGET_P95:.0f})"
        )
    if not within(voting):
        missed.append(
            f"voting peak: {voting['failures']} failed, worst p95 "
            f"{worst_p95(voting)[1]:.0f} ms"
        )
    failures = sum(s["failures"] for s in steps) + sum(
        r["failures"] for r in result["ramps"]
    )
    if failures:
        errors: dict[str, int] = {}
        for s in [*steps, *result["ramps"]]:
            for k, v in s["errors"].items():
                errors[k] = errors.get(k, 0) + v
        missed.append(f"{failures} failed requests: {errors}")
    if raised:
        missed.append(f"{raised} Celery tasks raised (see the worker's log)")
    if ws["lost"] or ws["expected"] == 0:
        missed.append(f"websocket deliveries lost: {ws['lost']} of {ws['expected']}")
    if sustainable is None:
        missed.append("no step within the target")
    print("\nbench_load: " + ("; ".join(missed) if missed else "all targets met"))
    return bool(missed)
