"""Hooks other apps register on, so that proposals never import them: the voting
area opens its poll when a proposal enters the vote (`on_voting_started`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_voting_started: list[Callable[..., None]] = []


def on_voting_started(fn: Callable[..., None]) -> Callable[..., None]:
    """Register `fn(*, proposal, at)`; it runs inside the transaction of the move,
    so an error there rolls the move back (and the schedule logs and retries)."""
    if fn not in _voting_started:
        _voting_started.append(fn)
    return fn


def voting_started(*, proposal, at: datetime) -> None:
    for fn in list(_voting_started):
        fn(proposal=proposal, at=at)
