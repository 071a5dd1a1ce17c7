"""Delegated weight in open polls: the delegations valid at a moment (the closing
time for the count; now for the live page), resolved over the poll's voter roll
with its direct voters. Rules: delegations/resolution.py and docs/voting.md
("Delegation"). A poll's questions share its scope — its unit and the topics of
its proposal — so each voter carries one weight for the whole ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from delegations.resolution import Resolution, resolve
from delegations.selectors import applicable
from deliberation.members.models import Member

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


@dataclass(frozen=True)
class MyVoteNow:
    """For the live poll page: where the viewer's vote goes as things stand."""

    voted: bool
    weight: int  # votes the viewer carries (when they voted)
    path: tuple[Member, ...]  # the viewer … the carrier (empty: not carried)
    delegates: bool  # a delegation applies to the viewer here
    excess: bool  # moved from its first carrier by the cap

    @property
    def carrier(self) -> Member | None:
        return self.path[-1] if self.path else None


def my_vote_now(poll: Poll, member: Member) -> MyVoteNow | None:
    """None when the poll takes no delegation or the member is not on its roll."""
    if not poll.delegation:
        return None
    roll = set(VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True))
    if member.pk not in roll:
        return None
    now = timezone.now()
    voters = set(
        OpenBallot.objects.filter(poll=poll).values_list("member_id", flat=True)
    )
    found = applicable(unit=poll.unit, topics=poll_topics(poll), at=now, members=roll)
    resolution = resolve(
        voters=voters,
        delegations=found.lists,
        cap=poll.delegation_cap,
        priority=found.given,
    )
    if member.pk in voters:
        return MyVoteNow(
            voted=True,
            weight=resolution.weights.get(member.pk, 1),
            path=(member,),
            delegates=member.pk in found.lists,
            excess=False,
        )
    ids = resolution.path_of(member.pk)
    people = Member.objects.in_bulk(list(ids))
    return MyVoteNow(
        voted=False,
        weight=0,
        path=tuple(people[i] for i in ids if i in people),
        delegates=member.pk in found.lists,
        excess=member.pk in resolution.excess,
    )
