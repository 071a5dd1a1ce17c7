"""The fill in order, in one transaction: every step, then every check; the
transaction commits only when the checks find nothing, so a failed or interrupted
fill leaves the database as it was. Then VACUUM ANALYZE, so the planner knows the
new sizes before the first request."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.members.models import Member, Unit

from . import comments, polls, proposals, tree
from .checks import run_checks

HISTORY_DAYS = 730
VACUUM = [
    "members_member",
    "members_membership",
    "proposals_proposal",
    "proposals_support",
    "proposals_statechange",
    "discussions_thread",
    "discussions_comment",
    "discussions_commentsearch",
    "discussions_reaction",
    "discussions_threadevent",
    "voting_voterroll",
    "voting_participation",
    "voting_bulletinballot",
    "audit_auditentry",
]


class FillError(Exception):
    pass


@dataclass(frozen=True)
class Sizes:
    members: int = 100_000
    proposals: int = 10_000
    comments: int = 1_000_000
    polls: int = 200  # counted votes; about 2 % more proposals are in the vote now
    seed: int = 2026


@dataclass
class Step:
    name: str
    seconds: float
    counts: dict[str, int]
    # CPU seconds of this process and of its PostgreSQL backend (None when the
    # server's /proc is not readable: another machine): on a machine shared with
    # other work the wall time grows, these much less.
    cpu: float = 0.0
    db_cpu: float | None = None


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, read from
    /proc when the server runs on this machine (Linux); None otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError, IndexError):
        return None


def check_database(sizes: Sizes) -> None:
    if connection.vendor != "postgresql":
        raise FillError(
            _("fill_party needs PostgreSQL (DATABASE_URL): it writes with COPY.")
        )
    if Member.objects.exists() or Unit.objects.exists():
        raise FillError(
            _(
                "The database already has members or units: fill_party fills an "
                "empty database (create it, run migrate, then fill_party)."
            )
        )
    if min(sizes.members, sizes.proposals) < 1 or sizes.comments < 0:
        raise FillError(_("Sizes must be positive."))
    if sizes.polls > sizes.proposals:
        raise FillError(_("There cannot be more polls than proposals."))


def fill(sizes: Sizes, *, report: Callable[[Step], None]) -> list[Step]:
    check_database(sizes)
    rng = random.Random(sizes.seed)  # noqa: S311 (test data, reproducible)
    nrng = np.random.default_rng(sizes.seed)
    steps: list[Step] = []

    def step(name: str, fn: Callable[[], dict[str, int]]) -> None:
        began, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
        counts = fn()
        db_after = backend_cpu()
        done = Step(
            name,
            time.perf_counter() - began,
            counts,
            cpu=time.process_time() - cpu,
            db_cpu=None if db is None or db_after is None else db_after - db,
        )
        steps.append(done)
        report(done)

    with transaction.atomic():
        # index builds after the COPYs sort in memory (the server's default is 64 MB)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        now = timezone.now()
        holder: dict = {}

        def units() -> dict[str, int]:
            national, branches = tree.build_units(rng, sizes.members)
            holder["party"] = tree.Party(
                now=now,
                start=now - timedelta(days=HISTORY_DAYS),
                national=national,
                units={u.pk: u for u in Unit.objects.all()},
                branches=branches,
                member_ids=np.array([], dtype=np.int64),
                names={},
            )
            return {"units": Unit.objects.count()}

        step("units", units)
        party: tree.Party = holder["party"]
        step("members", lambda: tree.build_members(party, rng, nrng, sizes.members))
        step(
            "roles, topics, policies",
            lambda: (
                tree.build_roles(party, rng)
                | tree.build_topics(party)
                | tree.build_policies(party)
            ),
        )

        def props() -> dict[str, int]:
            planned, counts = proposals.build_proposals(
                party, rng, nrng, sizes.proposals, sizes.polls
            )
            holder["planned"] = planned
            return counts

        step("proposals and supports", props)
        step(
            "comments, reactions, events",
            lambda: comments.build_comments(
                party, rng, nrng, holder["planned"], sizes.comments
            ),
        )
        step("polls", lambda: polls.build_polls(party, rng, nrng, holder["planned"]))

        def checks() -> dict[str, int]:
            problems = run_checks()
            broken = {k: v for k, v in problems.items() if v}
            if broken:
                raise FillError(
                    _("Inconsistent fill, nothing was stored: %(broken)s")
                    % {"broken": broken}
                )
            return {"checks passed": len(problems)}

        step("checks", checks)

    def analyse() -> dict[str, int]:
        if connection.in_atomic_block:  # inside a caller's transaction (tests)
            return {"tables": 0}
        with connection.cursor() as cursor:
            for name in VACUUM:
                cursor.execute(f"VACUUM ANALYZE {name}")
        return {"tables": len(VACUUM)}

    step("vacuum analyze", analyse)
    return steps
