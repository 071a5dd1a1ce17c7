"""The member day for bench_load.py: Locust users (gevent, FastHttpUser) and the steps,
run headless as a library (`locust.env.Environment`) in a process of its own.

    .venv/bin/python bench/load_locust.py PLAN.json OUT.json

PLAN.json (written by bench_load.py, see load_data.prepare) names the server, the
simulated members and what each may touch, plus `steps`: a list of
`{"users", "seconds", "phase"}` (phase "hello", "day" or "voting"). Each step starts
(or stops) users to reach its count, waits until they are running and signed in,
resets the statistics, runs for its seconds and records per endpoint: requests,
failures, rps and p50/p95/p99. Once two day steps have run and one had failures or a
p95 ≥ `stop_p95` (ms), the remaining day steps are skipped (already saturated).
OUT.json gets the steps, the sign-ins, the failures by kind and every comment created
(thread, id, wall-clock time of the POST) so the watchers' deliveries can be checked.
Every request is bounded (timeout 30 s) and so is every step."""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import time

import gevent
from locust import FastHttpUser, task
from locust.env import Environment
from requests.cookies import create_cookie

PLAN: dict = {}
PHASE = {"name": "day"}
CREATED: list[tuple[int, int, float]] = []  # (thread, comment id, time.time() sent)
SIGN_INS: list[float] = []  # seconds, one per member signing in
NEXT_MEMBER = itertools.count()
FREE: list[dict] = []  # members no running user is playing (they keep their state)
STARTED = {"begun": 0, "done": 0}  # users whose on_start began / finished
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
THINK = (0.5, 1.5)  # seconds between one member's requests (uniform)
# What a member does, and how often (relative weights), on an ordinary evening and
# in a voting peak (when most of those online vote, a ballot then a change of mind).
DAY = {
    "front_page": 10,
    "proposal_list": 8,
    "proposal_page": 10,
    "thread_page": 6,
    "search_page": 4,
    "api_list": 3,
    "support": 3,
    "comment": 2,
    "hello": 5,  # enough samples per step for the p50 ÷ hello ratios
}
VOTING = {"vote": 30, "front_page": 3, "proposal_page": 3, "thread_page": 2, "hello": 4}
# The baseline step: the bare view at full speed, no think time.
PHASES = {"day": DAY, "voting": VOTING, "hello": {"hello": 1}}


class Member(FastHttpUser):
    """One member's day: reads pages with the session of a real sign-in, writes and
    votes through the API with their token (DESIGN.md §5)."""

    network_timeout = 30.0
    connection_timeout = 30.0

    def wait_time(self) -> float:
        return 0.0 if PHASE["name"] == "hello" else random.uniform(*THINK)

    def on_start(self) -> None:
        STARTED["begun"] += 1
        try:
            self.start_day(next(NEXT_MEMBER))
        finally:
            STARTED["done"] += 1

    def on_stop(self) -> None:
        if hasattr(self, "me"):
            FREE.append(self.me)  # with what they support and their receipts

    def start_day(self, n: int) -> None:
        self.me = FREE.pop(0)
        group = PLAN["groups"][self.me["group"]]
        self.may_support = group["support"]
        self.may_post = group["threads"] + PLAN["hot_threads"]
        self.supported: set[int] = self.me.setdefault(
            "supporting", set(self.me["supported"])
        )
        self.receipts: dict[int, str] = self.me.setdefault("receipts", {})
        self.api = {"Authorization": f"Token {self.me['token']}"}
        if self.me.get("signed_in") or n % PLAN["sign_in_every"]:
            # back with the session of an earlier sign-in
            host = PLAN["host"].split("//")[1].split(":")[0]
            self.client.cookiejar.set_cookie(
                create_cookie("sessionid", self.me["session"], domain=host)
            )
            return
        self.sign_in()
        self.me["signed_in"] = True
        for cookie in self.client.cookiejar:
            if cookie.name == "sessionid":
                self.me["session"] = cookie.value  # for the next user playing them

    def sign_in(self) -> None:
        t0 = time.perf_counter()
        page = self.client.get("/accounts/login/", name="sign in: form")
        match = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.me["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            headers={"Referer": PLAN["host"] + "/accounts/login/"},
            name="sign in: POST",
            allow_redirects=False,
            catch_response=True,
        ) as resp:
            if resp.status_code != 302:
                resp.failure(f"sign-in answered {resp.status_code}")
            else:
                resp.success()
        SIGN_INS.append(time.perf_counter() - t0)

    @task
    def act(self) -> None:
        """One thing a member does, by the phase's weights (PHASES)."""
        weights = PHASES[PHASE["name"]]
        getattr(self, random.choices(list(weights), list(weights.values()))[0])()

    # ---------------------------------------------------------------- reading

    def front_page(self) -> None:
        self.client.get("/", name="front page /")

    def proposal_list(self) -> None:
        page = random.choice(["", "?page=2", "?page=3", "?state=discussion"])
        self.client.get(f"/proposals/{page}", name="proposal list /proposals/")

    def proposal_page(self) -> None:
        pid = random.choice(PLAN["browse_proposals"])
        self.client.get(f"/proposals/{pid}/", name="proposal page /proposals/{id}/")

    def thread_page(self) -> None:
        tid = random.choice(PLAN["browse_threads"] + PLAN["hot_threads"])
        self.client.get(f"/threads/{tid}/", name="thread page /threads/{id}/")

    def search_page(self) -> None:
        term = random.choice(PLAN["search_terms"])
        self.client.get(f"/search/?q={term}", name="search page /search/?q=")

    def api_list(self) -> None:
        term = random.choice(["", "", f"?q={random.choice(PLAN['search_terms'])}"])
        self.client.get(
            f"/api/v1/proposals/{term}", headers=self.api, name="API proposals (?q=)"
        )

    def hello(self) -> None:
        """The baseline inside every step: the bare Django JSON view, same server."""
        self.client.get("/bench/hello/", name="baseline /bench/hello/")

    # ---------------------------------------------------------------- writing

    def support(self) -> None:
        if not self.may_support:
            return
        pid = random.choice(self.may_support)
        url = f"/api/v1/proposals/{pid}/support/"
        if pid in self.supported:
            ok = self._write("DELETE", url, "API support (POST/DELETE)", (200,))
            if ok:
                self.supported.discard(pid)
        elif self._write("POST", url, "API support (POST/DELETE)", (201,)):
            self.supported.add(pid)

    def comment(self) -> None:
        # half on the hot threads the websocket watchers hold open
        tid = random.choice(
            PLAN["hot_threads"] if random.random() < 0.5 else self.may_post
        )
        sent = time.time()
        with self.client.post(
            f"/api/v1/threads/{tid}/comments/",
            json={"body": f"Ett inlägg klockan {sent:.3f}.", "stance": "for"},
            headers=self.api,
            name="API comment POST",
            catch_response=True,
        ) as resp:
            if resp.status_code == 201:
                CREATED.append((tid, resp.json()["id"], sent))
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {(resp.text or '')[:120]}")

    # ---------------------------------------------------------------- voting peak

    def vote(self) -> None:
        if random.random() < 0.25:
            poll = random.choice(PLAN["polls"])
            self.client.get(f"/polls/{poll['id']}/", name="poll page /polls/{id}/")
            return
        poll = random.choice(PLAN["polls"])
        if poll["options"]:
            body: dict = {"ranking": random.sample(poll["options"], 3)}
        else:
            body = {"choice": random.choice(["yes", "no", "abstain"])}
        if poll["secret"] and poll["id"] in self.receipts:
            body["receipt"] = self.receipts[poll["id"]]
        with self.client.post(
            f"/api/v1/polls/{poll['id']}/ballots/",
            json=body,
            headers=self.api,
            name="API ballot POST",
            catch_response=True,
        ) as resp:
            if resp.status_code == 201:
                receipt = resp.json().get("receipt")
                if receipt:
                    self.receipts[poll["id"]] = receipt
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {(resp.text or '')[:120]}")

    def _write(self, method: str, url: str, name: str, ok: tuple[int, ...]) -> bool:
        with self.client.request(
            method, url, headers=self.api, name=name, catch_response=True
        ) as resp:
            if resp.status_code in ok:
                resp.success()
                return True
            resp.failure(f"{resp.status_code} {(resp.text or '')[:120]}")
            return False


def snapshot(env: Environment, seconds: float) -> dict:
    rows = {}
    for (name, _method), entry in env.stats.entries.items():
        if entry.num_requests == 0:
            continue
        rows[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / seconds,
            "p50": entry.get_response_time_percentile(0.50),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
        }
    total = env.stats.total
    return {
        "rows": rows,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / seconds,
        "p95": total.get_response_time_percentile(0.95) if total.num_requests else 0,
        "errors": {
            f"{e.method} {e.name}: {e.error}": e.occurrences
            for e in env.stats.errors.values()
        },
    }


def run(plan: dict) -> dict:
    PLAN.update(plan)
    FREE.extend(plan["members"])
    # stopping users finish their request first (a ballot is not cut off unanswered)
    env = Environment(user_classes=[Member], host=plan["host"], stop_timeout=35)
    runner = env.create_local_runner()
    steps, ramps, skipped = [], [], []
    day_steps, overloaded = 0, False
    for step in plan["steps"]:
        if step["phase"] == "day" and overloaded:
            skipped.append(step["users"])  # past saturation already: time bounded
            continue
        PHASE["name"] = step["phase"]
        ramp_start = time.time()
        signed_in = len(SIGN_INS)
        runner.start(step["users"], spawn_rate=step.get("spawn_rate", 20))
        # until every user is running and has signed in, or those stopping have
        # finished their request (bounded)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            runner.user_count != step["users"] or STARTED["done"] < STARTED["begun"]
        ):
            gevent.sleep(0.2)
        gevent.sleep(3)  # the newly signed-in settle into their day
        ramps.append(
            {"users": step["users"], "sign_ins": len(SIGN_INS) - signed_in}
            | snapshot(env, max(0.001, time.time() - ramp_start))
        )
        env.stats.reset_all()
        started = time.time()
        gevent.sleep(step["seconds"])
        ended = time.time()
        steps.append(
            {
                "users": runner.user_count,
                "phase": step["phase"],
                "start": started,
                "end": ended,
            }
            | snapshot(env, ended - started)
        )
        env.stats.reset_all()
        if step["phase"] == "day":
            day_steps += 1
            last = steps[-1]
            overloaded = day_steps >= 2 and (
                last["failures"] > 0 or last["p95"] >= plan["stop_p95"]
            )
        print(
            f"  step {len(steps)}: {runner.user_count} users ({step['phase']}), "
            f"{steps[-1]['rps']:.0f} req/s, p95 {steps[-1]['p95']:.0f} ms, "
            f"{steps[-1]['failures']} failures",
            flush=True,
        )
    runner.quit()
    return {
        "steps": steps,
        "skipped": skipped,
        "ramps": ramps,
        "sign_ins": SIGN_INS,
        "created": CREATED,
    }


def main() -> None:
    plan_path, out_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    result = run(plan)
    with open(out_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
