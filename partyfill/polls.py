"""Polls through the voting services: each proposal in the vote gets its poll from
`open_proposal_poll` (questions, the frozen voter roll, the seal), its ballots are
written the way `cast_ballot` stores them (a participation, and a ballot sealed with
the poll's key or an open ballot) — by COPY, since 40,000 casts one by one would take
minutes — and a vote whose time is over is counted by `close_poll`: the result, the
shuffled bulletin, the erased seal, the proposal adopted or rejected.

Notifications these services raise (poll opened, result, state changed) are history
here: they are marked delivered in the same transaction, so no worker fans out a
hundred thousand "voting has opened" messages for a vote that ended last year."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Max

from deliberation.notifications.models import NotificationEvent
from proposals.models import Proposal
from voting import answers as codec
from voting import sealing
from voting.models import (
    Ballot,
    OpenBallot,
    Participation,
    PendingBallot,
    Poll,
    VoterRoll,
)
from voting.services import close_poll, open_proposal_poll

from .copying import copy_rows
from .plan import Planned
from .tree import Party


def build_polls(
    party: Party, rng: random.Random, nrng: np.random.Generator, planned: list[Planned]
) -> dict[str, int]:
    stats = {"closed polls": 0, "open polls": 0, "ballots": 0, "roll entries": 0}
    for p in planned:
        if p.poll is None:
            continue
        with transaction.atomic():
            mark = NotificationEvent.objects.aggregate(m=Max("id"))["m"] or 0
            proposal = Proposal.objects.select_related("unit", "policy").get(pk=p.id)
            poll = open_proposal_poll(
                proposal=proposal, at=p.stamps["voting_started_at"]
            )
            stats["roll entries"] += poll.eligible_count
            closed = p.poll == "closed"
            turnout = rng.uniform(0.25, 0.7) if closed else rng.uniform(0.05, 0.35)
            stats["ballots"] += _cast(poll, rng, nrng, turnout, party.now)
            if closed:
                close_poll(poll=poll.pk, now=poll.closes + timedelta(minutes=1))
                stats["closed polls"] += 1
            else:
                stats["open polls"] += 1
            NotificationEvent.objects.filter(pk__gt=mark).update(delivered=party.now)
    return stats


def _cast(
    poll: Poll,
    rng: random.Random,
    nrng: np.random.Generator,
    turnout: float,
    now: datetime,
) -> int:
    roll = list(VoterRoll.objects.filter(poll=poll).values_list("member_id", "unit_id"))
    if not roll:
        return 0
    voters = nrng.choice(len(roll), size=int(len(roll) * turnout), replace=False)
    specs = codec.specs_of(poll.questions.prefetch_related("options"))
    yes = rng.uniform(0.3, 0.75)  # this vote's mood: some pass, some fail
    encoded: dict[tuple[str, ...], str] = {}

    def answers() -> str:
        picks = tuple(
            "abstain"
            if rng.random() < 0.06
            else ("yes" if rng.random() < yes else "no")
            for _spec in specs
        )
        if picks not in encoded:
            payload = {
                "answers": [
                    {"question": s.id, "choice": c}
                    for s, c in zip(specs, picks, strict=True)
                ]
            }
            encoded[picks] = codec.encode(codec.normalise(payload, specs), specs)
        return encoded[picks]

    chosen = [roll[i] for i in voters.tolist()]
    copy_rows(
        Participation, ["poll_id", "member_id"], ((poll.pk, m) for m, _u in chosen)
    )
    end = min(poll.closes, now)
    span = (end - poll.opens).total_seconds()
    if poll.ballot == Ballot.SECRET:

        def sealed():
            for _member, unit_id in chosen:
                receipt = sealing.new_receipt()  # shown once, to nobody here
                lookup = sealing.replacement_lookup(poll.pk, receipt)
                yield (
                    uuid.uuid4(),
                    poll.pk,
                    lookup,
                    sealing.seal(
                        poll,
                        lookup=lookup,
                        receipt_digest=sealing.receipt_hash(receipt),
                        unit=unit_id,
                        answers=answers(),
                    ),
                )

        copy_rows(PendingBallot, ["id", "poll_id", "lookup", "sealed"], sealed())
    else:
        copy_rows(
            OpenBallot,
            ["poll_id", "member_id", "answers", "updated"],
            (
                (
                    poll.pk,
                    member,
                    answers(),
                    poll.opens + timedelta(seconds=span * rng.random()),
                )
                for member, _u in chosen
            ),
        )
    return len(chosen)
