"""Hooks other apps register on, so that proposals never import them: the voting
area opens its poll when a proposal enters the vote (`on_voting_started`); the
congress forwards adopted proposals (`on_state_changed`) and proposals whose support
reaches the national quorum (`on_support_counted`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_voting_started: list[Callable[..., None]] = []
_state_changed: list[Callable[..., None]] = []
_support_counted: list[Callable[..., None]] = []


def on_voting_started(fn: Callable[..., None]) -> Callable[..., None]:
    """Register `fn(*, proposal, at)`; it runs inside the transaction of the move,
    so an error there rolls the move back (and the schedule logs and retries)."""
    if fn not in _voting_started:
        _voting_started.append(fn)
    return fn


def voting_started(*, proposal, at: datetime) -> None:
    for fn in list(_voting_started):
        fn(proposal=proposal, at=at)


def on_state_changed(fn: Callable[..., None]) -> Callable[..., None]:
    """Register `fn(*, proposal, from_state, to_state, at, cause)`, run inside the
    transaction of every move after it is stored. An error there rolls the move
    back, so listeners that must never block a move catch their own errors."""
    if fn not in _state_changed:
        _state_changed.append(fn)
    return fn


def state_changed(*, proposal, from_state: str, to_state: str, at, cause) -> None:
    for fn in list(_state_changed):
        fn(
            proposal=proposal,
            from_state=from_state,
            to_state=to_state,
            at=at,
            cause=cause,
        )


def on_support_counted(fn: Callable[..., None]) -> Callable[..., None]:
    """Register `fn(*, proposal)`, run in the transaction of a new support, with the
    proposal row locked and its `support_count` up to date."""
    if fn not in _support_counted:
        _support_counted.append(fn)
    return fn


def support_counted(*, proposal) -> None:
    for fn in list(_support_counted):
        fn(proposal=proposal)
