"""Comments as `post_comment` and `add_reaction` leave them, at COPY speed: top-level
comments and replies (`parent`, `root`, `depth`), stances, reactions with the counts
kept on the comment, and per thread one `comment.created` event per comment — the
thread's moves (from the proposals step) and its comments numbered together in time
order, so `Thread.last_seq` is the last event and `comment_count` the comments.
The full-text vectors are written by the database's own trigger (migration 0007)."""

from __future__ import annotations

import importlib
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import numpy as np
from django.utils import timezone

from deliberation.discussions.models import (
    Comment,
    CommentSearch,
    Reaction,
    ReactionKind,
    Stance,
    Thread,
    ThreadEvent,
    ThreadKind,
)
from deliberation.discussions.payloads import TIME_FORMAT
from deliberation.members.models import UnitKind

from . import text
from .copying import bulk_load, copy_rows, execute, reserve_ids
from .plan import Planned
from .tree import Party

# the trigger's SQL, to write every vector the way the trigger would
SEARCH_MIGRATION = importlib.import_module(
    "deliberation.discussions.migrations.0007_comment_search"
)
MAX_DEPTH = 6  # replies to a reply this deep answer its parent instead
MAX_PER_THREAD = 20_000
FLUSH = 50_000
STANCES = [Stance.NEUTRAL, Stance.FOR, Stance.AGAINST, Stance.QUESTION]
STANCE_WEIGHTS = [35, 30, 20, 15]
KINDS = [ReactionKind.LIKE, ReactionKind.AGREE, ReactionKind.INSIGHTFUL]
KIND_WEIGHTS = [60, 30, 10]
STATE_WEIGHT = {
    "discussion": 3.0,
    "frozen": 3.0,
    "voting": 3.0,
    "closed": 2.5,
    "gathering_support": 1.0,
    "expired": 0.5,
    "withdrawn": 0.3,
}
COMMENT_COLUMNS = [
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "depth",
    "author_id",
    "stance",
    "body",
    "body_html",
    "seq",
    "created",
    "edited",
    "deleted",
    "hidden",
    "hidden_reason",
    "reaction_counts",
    "reaction_total",
]


@dataclass
class Target:
    thread_id: int
    unit_id: int
    start: datetime
    end: datetime
    weight: float


def _unit_threads(party: Party, rng: random.Random) -> list[Target]:
    """Each unit's own discussions: the national level and districts a few, half of
    the branches one or two."""
    per_kind = {
        UnitKind.NATIONAL: (3, 3),
        UnitKind.DISTRICT: (1, 2),
        UnitKind.MUNICIPALITY: (0, 1),
        UnitKind.BRANCH: (0, 2),
    }
    plan = []
    for unit in party.units.values():
        low, high = per_kind[UnitKind(unit.kind)]
        for _n in range(rng.randint(low, high)):
            created = party.start + (party.now - party.start) * rng.random()
            plan.append((unit.pk, created, text.title(rng).replace("Att ", "Om ", 1)))
    first = reserve_ids(Thread, len(plan))
    rows, targets = [], []
    for n, (unit_id, created, title) in enumerate(plan):
        pool = party.subtree[unit_id]
        creator = int(pool[rng.randrange(len(pool))]) if len(pool) else None
        rows.append(
            (first + n, title, unit_id, ThreadKind.UNIT, creator, created, 0, 0, None)
        )
        if len(pool):
            targets.append(Target(first + n, unit_id, created, party.now, 1.0))
    copy_rows(
        Thread,
        [
            "id",
            "title",
            "unit_id",
            "kind",
            "created_by_id",
            "created",
            "last_seq",
            "comment_count",
            "last_activity",
        ],
        rows,
    )
    return targets


def _targets(party: Party, rng: random.Random, planned: list[Planned]) -> list[Target]:
    targets = []
    for p in planned:
        window = p.comment_window(party.now)
        if window is not None:
            weight = STATE_WEIGHT.get(p.state, 1.0)
            targets.append(Target(p.thread_id, p.unit_id, *window, weight))
    return targets + _unit_threads(party, rng)


def build_comments(
    party: Party,
    rng: random.Random,
    nrng: np.random.Generator,
    planned: list[Planned],
    total: int,
) -> dict[str, int]:
    targets = _targets(party, rng, planned)
    # heavy-tailed: most threads have a few comments, some have thousands
    weights = (nrng.pareto(1.3, len(targets)) + 0.05) * np.array(
        [t.weight for t in targets]
    )
    counts = _spread(nrng, total, weights / weights.sum())
    first = reserve_ids(Comment, sum(counts))
    pool = text.ParagraphPool(rng)
    writer = _Writer()
    with bulk_load(
        Comment,
        Reaction,
        ThreadEvent,
        CommentSearch,
        triggers=["discussions_comment.discussions_comment_search"],
    ):
        stats = _write_all(party, rng, targets, counts, first, pool, writer)
        # the vectors the trigger writes, for all rows in one statement
        execute(SEARCH_MIGRATION.BACKFILL)
    _store_counters(writer.threads)
    stats["events"] = writer.events_written
    stats["threads"] = len(targets)
    return dict(stats)


def _spread(nrng: np.random.Generator, total: int, shares: np.ndarray) -> list[int]:
    """`total` comments over the threads by `shares`, none above MAX_PER_THREAD
    (what a full thread would get goes to the others)."""
    counts = nrng.multinomial(total, shares)
    while True:
        over = counts > MAX_PER_THREAD
        excess = int((counts[over] - MAX_PER_THREAD).sum())
        if not excess:
            return [int(c) for c in counts]
        counts[over] = MAX_PER_THREAD
        room = np.where(counts < MAX_PER_THREAD, shares, 0.0)
        if room.sum() == 0:
            return [int(c) for c in counts]  # every thread is full
        counts += nrng.multinomial(excess, room / room.sum())


def _write_all(
    party: Party,
    rng: random.Random,
    targets: list[Target],
    counts: list[int],
    first: int,
    pool: text.ParagraphPool,
    writer: _Writer,
) -> Counter[str]:
    next_id = first
    members: dict[int, list[int]] = {}
    stats: Counter[str] = Counter()
    for target, count in zip(targets, counts, strict=True):
        people = members.get(target.unit_id)
        if people is None:
            people = party.subtree[target.unit_id].tolist()
            rng.shuffle(people)  # who talks most is anyone
            members[target.unit_id] = people
        made = _thread(party, rng, target, count, next_id, people, pool, writer)
        next_id += count
        stats["comments"] += count
        stats["reactions"] += made
        if writer.pending >= FLUSH:
            writer.flush()
    # threads without comments keep their moves' events
    for thread_id, events in party.thread_events.items():
        if thread_id not in writer.threads and events:
            _number(thread_id, events, writer)
    writer.flush()
    return stats


class _Writer:
    def __init__(self) -> None:
        self.comments: list[tuple] = []
        self.reactions: list[tuple] = []
        self.events: list[tuple] = []
        self.threads: dict[int, tuple[int, int, datetime | None]] = {}
        self.events_written = 0

    @property
    def pending(self) -> int:
        return len(self.comments)

    def flush(self) -> None:
        if self.comments:
            copy_rows(Comment, COMMENT_COLUMNS, self.comments)
        if self.reactions:
            copy_rows(
                Reaction, ["comment_id", "member_id", "kind", "created"], self.reactions
            )
        if self.events:
            copy_rows(
                ThreadEvent,
                ["thread_id", "seq", "type", "object_id", "data", "created"],
                self.events,
            )
        self.events_written += len(self.events)
        self.comments, self.reactions, self.events = [], [], []


def _number(
    thread_id: int, events: list[tuple[datetime, str, str, str]], writer: _Writer
) -> None:
    """Number a thread's events (no comments) in time order."""
    items = sorted(events, key=lambda e: e[0])
    for seq, (at, type_, object_id, data) in enumerate(items, 1):
        writer.events.append((thread_id, seq, type_, object_id, data, at))
    last = writer.threads.get(thread_id, (0, 0, None))
    writer.threads[thread_id] = (len(items), last[1], last[2])


def _thread(
    party: Party,
    rng: random.Random,
    target: Target,
    count: int,
    first_id: int,
    people: list[int],
    pool: text.ParagraphPool,
    writer: _Writer,
) -> int:
    """One thread's comments, reactions and events; returns the reactions made."""
    span = (target.end - target.start).total_seconds()
    moments = sorted(
        target.start + timedelta(seconds=span * rng.random()) for _n in range(count)
    )
    depth: list[int] = []
    root: list[int | None] = []
    parent_of: list[int | None] = []
    rows: list[list] = []
    made = 0
    n_people = len(people)
    for i, created in enumerate(moments):
        cid = first_id + i
        parent = None
        if i and rng.random() < 0.45:
            j = rng.randrange(max(0, i - 40), i)
            while depth[j] >= MAX_DEPTH:
                j = parent_of[j] - first_id  # type: ignore[operator]
            parent = j
        author = people[int(n_people * rng.random() ** 2.5)]
        body, html = pool.body(rng)
        stance = rng.choices(STANCES, STANCE_WEIGHTS)[0]
        reactions: Counter = Counter()
        if n_people > 1 and rng.random() < 0.4:
            k = min(n_people - 1, 1 + int(rng.expovariate(0.5)), 40)
            for member_id in rng.sample(people, k):
                kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
                reactions[kind] += 1
                at = created + timedelta(minutes=5 + 600 * rng.random())
                writer.reactions.append((cid, member_id, kind, at))
            made += k
        counts = {kind: reactions[kind] for kind in KINDS if reactions[kind]}
        if parent is None:
            depth.append(0)
            root.append(None)
            parent_of.append(None)
        else:
            depth.append(depth[parent] + 1)
            root.append(root[parent] or first_id + parent)
            parent_of.append(first_id + parent)
        rows.append(
            [
                cid,
                target.thread_id,
                parent_of[i],
                root[i],
                depth[i],
                author,
                stance,
                body,
                html,
                0,  # seq, below
                created,
                None,
                None,
                False,
                "",
                json.dumps(counts),
                sum(counts.values()),
            ]
        )
    # (at, order, type, object id, JSON data or the comment's index in `rows`)
    items: list[tuple[datetime, int, str, str, str | int]] = [
        (at, 0, type_, oid, data)
        for at, type_, oid, data in party.thread_events.get(target.thread_id, [])
    ]
    for i, row in enumerate(rows):
        items.append((row[10], 1, "comment.created", str(row[0]), i))
    items.sort(key=lambda item: (item[0], item[1]))
    zone = timezone.get_current_timezone()
    for seq, (at, _o, type_, object_id, data) in enumerate(items, 1):
        if isinstance(data, int):
            row = rows[data]
            row[9] = seq
            data = json.dumps(_event_data(party, row, data + 1, zone))
        writer.events.append((target.thread_id, seq, type_, object_id, data, at))
    writer.comments.extend(tuple(r) for r in rows)
    writer.threads[target.thread_id] = (
        len(items),
        count,
        moments[-1] if moments else None,
    )
    return made


def _event_data(party: Party, row: list, comment_count: int, zone: tzinfo) -> dict:
    """`comment_event_data` of a new comment without its text, as stored."""
    username, name = party.names[row[5]]
    created: datetime = row[10]
    return {
        "id": row[0],
        "thread": row[1],
        "parent": row[2],
        "depth": row[4],
        "author": {"id": row[5], "username": username, "name": name},
        "stance": row[6],
        "created": created.isoformat(),
        # payloads.local_time_text, with the zone looked up once per thread
        "created_text": created.astimezone(zone).strftime(TIME_FORMAT),
        "edited": None,
        "deleted": False,
        "hidden": False,
        "reactions": {},
        "comment_count": comment_count,
    }


def _store_counters(threads: dict[int, tuple[int, int, datetime | None]]) -> None:
    ids = list(threads)
    execute(
        """UPDATE discussions_thread t
           SET last_seq = v.last_seq, comment_count = v.comments,
               last_activity = v.last_activity
           FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::timestamptz[])
               AS v(id, last_seq, comments, last_activity)
           WHERE t.id = v.id""",
        [
            ids,
            [threads[i][0] for i in ids],
            [threads[i][1] for i in ids],
            [threads[i][2] for i in ids],
        ],
    )
