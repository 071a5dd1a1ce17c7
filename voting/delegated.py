"""Delegated weight in open polls: the delegations valid at a moment (the closing
time for the count; now for the live page), resolved over the poll's voter roll
with its direct voters. Rules: delegations/resolution.py and docs/voting.md
("Delegation"). A poll's questions share its scope — its unit and the topics of
its proposal — so each voter carries one weight for the whole ballot."""

from __future__ import annotations

from datetime import datetime

from delegations.resolution import Resolution, resolve
from delegations.selectors import applicable

from .models import OpenBallot, Poll, VoterRoll


def poll_topics(poll: Poll) -> list[int]:
    if not poll.proposal_id:
        return []
    return list(poll.proposal.topics.values_list("pk", flat=True))  # type: ignore[union-attr]


def resolve_poll(
    poll: Poll,
    *,
    at: datetime | None = None,
    voters: set[int] | None = None,
    roll: set[int] | None = None,
) -> Resolution | None:
    """None when the poll takes no delegation."""
    if not poll.delegation:
        return None
    if voters is None:
        voters = set(
            OpenBallot.objects.filter(poll=poll).values_list("member_id", flat=True)
        )
    if roll is None:
        roll = set(
            VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True)
        )
    found = applicable(
        unit=poll.unit, topics=poll_topics(poll), at=at or poll.closes, members=roll
    )
    return resolve(
        voters=voters,
        delegations=found.lists,
        cap=poll.delegation_cap,
        priority=found.given,
    )
