"""The plan of each proposal before anything is written: its state, its unit, its
dates (from its policy's phase lengths, back from now), its quorum and how many
supported it, and the moves it made to get there."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deliberation.members.models import UnitKind
from proposals.models import Cause, Policy, State

DAY = timedelta(days=1)
# Shares of the proposals that are not put to a closed poll (those are adopted or
# rejected by the voting step): most ideas never reach the quorum.
STATE_SHARES = [
    (State.DRAFT, 0.06),
    (State.GATHERING_SUPPORT, 0.30),
    (State.DISCUSSION, 0.12),
    (State.FROZEN, 0.04),
    (State.VOTING, 0.02),
    (State.WITHDRAWN, 0.04),
    (State.EXPIRED, 0.42),
]
LEVEL_SHARES = [
    (UnitKind.NATIONAL, 0.02),
    (UnitKind.DISTRICT, 0.10),
    (UnitKind.MUNICIPALITY, 0.28),
    (UnitKind.BRANCH, 0.60),
]
CLOSED = "closed"  # planned: in the vote, counted by the voting step


@dataclass
class Planned:
    id: int
    thread_id: int
    unit_id: int
    state: str  # a State, or CLOSED
    creator: int
    policy: Policy
    created: datetime
    stamps: dict[str, datetime] = field(default_factory=dict)
    phase_ends: datetime | None = None
    eligible: int = 0
    needed: int = 0
    supports: int = 0

    @property
    def poll(self) -> str | None:
        if self.state == CLOSED:
            return "closed"
        return "open" if self.state == State.VOTING else None

    def comment_window(self, now: datetime) -> tuple[datetime, datetime] | None:
        published = self.stamps.get("published_at")
        if published is None:
            return None  # a draft: only its authors read it
        end = self.stamps.get("closed_at") or now
        if self.state == CLOSED and self.phase_ends is not None:
            end = self.phase_ends - timedelta(hours=1)  # before the count
        return published, max(published + timedelta(minutes=1), end)


def plan_states(rng: random.Random, proposals: int, closed: int) -> list[str]:
    rest = max(0, proposals - closed)
    states: list[str] = [CLOSED] * min(closed, proposals)
    for state, share in STATE_SHARES:
        states += [state] * int(round(rest * share))
    while len(states) < proposals:
        states.append(State.GATHERING_SUPPORT)
    states = states[:proposals]
    rng.shuffle(states)
    return states


def timeline(p: Planned, rng: random.Random, now: datetime, start: datetime) -> None:
    pol = p.policy
    s, d, f, v = pol.support_days, pol.discussion_days, pol.freeze_days, pol.voting_days
    span = (now - start).days - (s + d + f + v) - 5

    def ago(low: float, high: float) -> datetime:
        return now - DAY * rng.uniform(low, max(low + 0.01, high))

    stamps = p.stamps
    if p.state == State.DRAFT:
        p.created = ago(0.01, 60)
        return
    if p.state == State.GATHERING_SUPPORT:
        stamps["published_at"] = ago(0.01, s - 0.5)
        p.phase_ends = stamps["published_at"] + s * DAY
    elif p.state in (State.EXPIRED, State.WITHDRAWN):
        stamps["published_at"] = ago(s + 1, span)
        lasted = s if p.state == State.EXPIRED else rng.uniform(0.2, s - 0.5)
        stamps["closed_at"] = stamps["published_at"] + lasted * DAY
    else:
        if p.state == State.DISCUSSION:
            ds = ago(0.01, d - 0.5)
            p.phase_ends = ds + d * DAY
        elif p.state == State.FROZEN:
            ds = ago(0.01, f - 0.1) - d * DAY
            p.phase_ends = ds + (d + f) * DAY
        elif p.state == State.VOTING:
            ds = ago(0.01, v - 0.5) - (d + f) * DAY
            p.phase_ends = ds + (d + f + v) * DAY
        else:  # CLOSED: the vote ended in the past
            ds = ago(v + 1, span) - (d + f) * DAY
            p.phase_ends = ds + (d + f + v) * DAY
        stamps["published_at"] = ds - DAY * rng.uniform(0.5, s - 1)
        stamps["discussion_started_at"] = ds
        if p.state != State.DISCUSSION:
            stamps["frozen_at"] = ds + d * DAY
        if p.state in (State.VOTING, CLOSED):
            stamps["voting_started_at"] = ds + (d + f) * DAY
    p.created = stamps["published_at"] - DAY * rng.uniform(0.0, 3.0)


def moves(p: Planned) -> list[tuple[str, str, datetime, str]]:
    """(from, to, at, cause) of each move the proposal made."""
    st = p.stamps
    if "published_at" not in st:
        return []
    moves: list[tuple[str, str, datetime, str]] = [
        (State.DRAFT, State.GATHERING_SUPPORT, st["published_at"], Cause.AUTHOR)
    ]
    if p.state == State.EXPIRED:
        moves.append(
            (State.GATHERING_SUPPORT, State.EXPIRED, st["closed_at"], Cause.SCHEDULE)
        )
    if p.state == State.WITHDRAWN:
        moves.append(
            (State.GATHERING_SUPPORT, State.WITHDRAWN, st["closed_at"], Cause.AUTHOR)
        )
    if "discussion_started_at" in st:
        moves.append(
            (
                State.GATHERING_SUPPORT,
                State.DISCUSSION,
                st["discussion_started_at"],
                Cause.SUPPORT,
            )
        )
    if "frozen_at" in st:
        moves.append((State.DISCUSSION, State.FROZEN, st["frozen_at"], Cause.SCHEDULE))
    if "voting_started_at" in st:
        moves.append(
            (State.FROZEN, State.VOTING, st["voting_started_at"], Cause.SCHEDULE)
        )
    return moves


def support_target(p: Planned, rng: random.Random, pool: int) -> int:
    if "published_at" not in p.stamps:
        return 0
    if "discussion_started_at" in p.stamps:
        return min(pool, p.needed + int(p.needed * rng.uniform(0.0, 0.5)))
    if p.state == State.WITHDRAWN:
        return min(pool, int(p.needed * rng.random() * 0.3))
    return min(pool, p.needed - 1, int(p.needed * rng.random() ** 2))
