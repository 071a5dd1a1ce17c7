"""Voting's share of a member's personal data (registered in `VotingConfig.ready`
with deliberation/members/personal_data.py): participations and open-poll ballots.

For a secret poll Torget holds only that the member took part: the sealed ballot
and the bulletin carry no member (docs/voting.md), so the export says so and the
erasure has nothing to unlink. Participations, voter-roll entries and open ballots
stay counted, on the anonymised member row: the result does not change. (Delegations
register their own section.)"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import Stored, register_section

from .models import Ballot, OpenBallot, Participation, Poll


def export_votes(member: Member) -> Iterator[dict]:
    participations = (
        Participation.objects.filter(member=member)
        .select_related("poll")
        .order_by("poll_id")
    )
    open_ballots = {
        b.poll_id: b.answers
        for b in OpenBallot.objects.filter(member=member).only("poll_id", "answers")
    }
    for p in participations.iterator(chunk_size=1000):
        secret = p.poll.ballot == Ballot.SECRET
        yield {
            "poll": p.poll_id,
            "title": p.poll.title,
            "ballot": p.poll.ballot,
            "you_took_part": True,
            "your_answers": None if secret else open_ballots.get(p.poll_id),
            "note": (
                "secret ballot: nothing links you to it" if secret else "open ballot"
            ),
        }


def export_polls_created(member: Member) -> Iterator[dict]:
    qs = Poll.objects.filter(created_by=member).order_by("created", "id")
    for poll in qs.iterator(chunk_size=500):
        yield {
            "poll": poll.pk,
            "title": poll.title,
            "opens": poll.opens.isoformat(),
            "closes": poll.closes.isoformat(),
        }


def register() -> None:
    register_section(
        "voting.votes",
        title=_("Your votes"),
        export=export_votes,
        order=60,
        stores=[
            Stored(
                "That you took part in a poll; for open polls also your answers",
                "one vote per member; open ballots are public by design",
                "permanently as part of the result; after erasure counted without "
                "you. Secret ballots are never linked to anyone",
            )
        ],
    )
    register_section(
        "voting.polls",
        title=_("Polls you asked"),
        export=export_polls_created,
        order=61,
    )
