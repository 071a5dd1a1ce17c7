"""Closing a poll: in one transaction, under the poll's row lock — open the sealed
ballots, write the public bulletin in a random order, delete the sealed rows, erase
the poll's seal salt, count, store the one Result, record the proposals' outcomes,
and push `poll.closed` after commit. Killed halfway, nothing of it is stored; run
twice, the second run finds the poll closed and does nothing.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from deliberation.errors import Conflict
from deliberation.observability import metrics
from proposals.models import Proposal
from proposals.models import State as ProposalState
from proposals.services import record_vote_outcome

from . import notifying, sealing, tally
from .answers import decode
from .events import push
from .models import (
    Ballot,
    BulletinBallot,
    OpenBallot,
    Participation,
    PendingBallot,
    Poll,
    PollKind,
    PollState,
    Result,
)
from .scheduling import schedule_close
from .selectors import open_tally_inputs, poll_spec

logger = logging.getLogger(__name__)


class TallyMismatch(Exception):
    """Ballots and participations differ: the result is not stored (log, look)."""


def _secret_inputs(poll: Poll) -> list[tuple[str, tally.TallyInput]]:
    with connection.cursor() as cursor:  # one fetch: 100,000 rows, no ORM per row
        cursor.execute(
            "SELECT lookup, sealed FROM voting_pendingballot WHERE poll_id = %s",
            [poll.pk],
        )
        rows = cursor.fetchall()
    opened = sealing.unseal_all(sealing.poll_cipher(poll), poll.pk, rows)
    make = tally.TallyInput
    return [(digest, make(answers, 1, None, unit)) for digest, unit, answers in opened]


def random_order(n: int) -> np.ndarray:
    """A uniformly random permutation of range(n) from the operating system's CSPRNG
    (sorting 64-bit random keys): fast for 100,000 ballots, and unpredictable."""
    keys = np.frombuffer(os.urandom(8 * n), dtype=np.uint64)
    return np.argsort(keys, kind="stable")


_INSERT_SHUFFLED = """
    INSERT INTO voting_bulletinballot
        (id, poll_id, receipt_hash, voter_id, weight, answers)
    SELECT gen_random_uuid(), %s, t.receipt_hash, t.voter_id, t.weight, t.answers
    FROM unnest(%s::text[], %s::bigint[], %s::int[], %s::text[]) WITH ORDINALITY
        AS t(receipt_hash, voter_id, weight, answers, n)
    ORDER BY t.n
"""


def _write_bulletin(poll: Poll, rows: list[tuple[str, tally.TallyInput]]) -> None:
    """In a random order (random_order), with random ids and no timestamps, in the
    closing transaction."""
    rows = [rows[i] for i in random_order(len(rows)).tolist()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 50_000):
                part = rows[start : start + 50_000]
                cursor.execute(
                    _INSERT_SHUFFLED,
                    [
                        poll.pk,
                        [d for d, _i in part],
                        [i.voter for _d, i in part],
                        [i.weight for _d, i in part],
                        [i.answers for _d, i in part],
                    ],
                )
        return
    BulletinBallot.objects.bulk_create(
        [
            BulletinBallot(
                id=uuid.uuid4(),
                poll=poll,
                receipt_hash=digest,
                voter_id=i.voter,
                weight=i.weight,
                answers=i.answers,
            )
            for digest, i in rows
        ],
        batch_size=2000,
    )


def close_poll(*, poll: Poll | int, now: datetime | None = None) -> Result | None:
    """Count a poll whose closing time has come, then publish its bulletin. Returns
    its Result (the stored one if it was counted already), or None when the poll is
    not due yet."""
    poll_id = poll if isinstance(poll, int) else poll.pk
    now = now or timezone.now()
    opened: list[tuple[str, tally.TallyInput]] | None = None
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("unit").get(pk=poll_id)
        if poll.state == PollState.CLOSED:
            result = Result.objects.filter(poll=poll).first()
        elif now < poll.closes:
            return None
        else:
            result, opened = _count_and_store(poll, now)
    if opened is not None:  # counted now, committed: closing time → result
        metrics.poll_result_counted(poll.closes)
    publish_bulletin(poll=poll_id, opened=opened)
    return result


def _count_and_store(
    poll: Poll, now: datetime
) -> tuple[Result, list[tuple[str, tally.TallyInput]]]:
    """Step 1, under the poll's row lock: count the ballots (opened in memory), store
    the Result, close the poll, record the proposals' outcomes, push `poll.closed`.
    The sealed ballots stay sealed in the database until step 2."""
    spec = poll_spec(poll)
    if poll.ballot == Ballot.SECRET:
        rows = _secret_inputs(poll)
    else:
        rows = [("", i) for i in open_tally_inputs(poll)]
    inputs = [i for _d, i in rows]
    participations = Participation.objects.filter(poll=poll).count()
    if len(inputs) != participations:
        raise TallyMismatch(
            f"poll {poll.pk}: {len(inputs)} ballots, {participations} participations"
        )
    counted = tally.count(spec, inputs, participations)
    threshold = int(getattr(settings, "POLL_BREAKDOWN_MIN_VOTERS", 10))
    breakdown = tally.breakdown(
        spec, inputs, threshold=threshold, secret=poll.is_secret
    )
    if poll.delegation:
        _add_weights(spec, counted["questions"], inputs)
    result = Result.objects.create(
        poll=poll,
        eligible=poll.eligible_count,
        participations=participations,
        ballots=len(inputs),
        represented=counted["represented"] if poll.delegation else None,
        quorum_needed=counted["quorum_needed"],
        quorum_met=counted["quorum_met"],
        questions=counted["questions"],
        outcomes=counted["outcomes"],
        breakdown=breakdown,
        counted_at=now,
    )
    poll.state = PollState.CLOSED
    poll.closed_at = now
    poll.save(update_fields=["state", "closed_at"])
    if poll.kind == PollKind.PROPOSAL:
        _record_outcomes(poll, counted["outcomes"], counted["questions"])
    push(poll, "poll.closed", closed_payload(poll, result))
    notifying.poll_closed(poll)
    return result, rows


def _add_weights(
    spec: tally.PollSpec, questions: list[dict], inputs: list[tally.TallyInput]
) -> None:
    """Polls with delegation: per question, every voter who carried delegated votes
    with their weight and answer (everyone else carried only their own vote; the
    bulletin names every voter with their weight)."""
    carriers = sorted(
        (i for i in inputs if i.weight > 1), key=lambda i: (-i.weight, i.voter or 0)
    )
    decoded = [(i, decode(i.answers, spec.questions)) for i in carriers]
    for index, question in enumerate(questions):
        rows = []
        for i, answers in decoded:
            answer = answers[index]
            row = {"member": i.voter, "weight": i.weight}
            if "choice" in answer:
                row["choice"] = answer["choice"]
            else:
                row["ranking"] = answer["ranking"]
            rows.append(row)
        question["weights"] = rows


def publish_bulletin(
    *, poll: Poll | int, opened: list[tuple[str, tally.TallyInput]] | None = None
) -> bool:
    """Step 2, right after the count (and from the sweeper if a crash came between):
    in one transaction, write the public bulletin in a random order, delete the
    sealed (or open) ballots and erase the seal salt. `opened` reuses step 1's
    opened ballots — safe, since no ballot can change once the poll is closed.
    Returns False when there is nothing to do."""
    poll_id = poll if isinstance(poll, int) else poll.pk
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll_id)
        if poll.state != PollState.CLOSED or poll.bulletin_published_at:
            return False
        if opened is None:
            if poll.ballot == Ballot.SECRET:
                opened = _secret_inputs(poll)
            else:
                opened = [("", i) for i in open_tally_inputs(poll)]
        _write_bulletin(poll, opened)
        if poll.ballot == Ballot.SECRET:
            PendingBallot.objects.filter(poll=poll).delete()
        else:
            OpenBallot.objects.filter(poll=poll).delete()
        poll.seal_salt = None
        poll.bulletin_published_at = timezone.now()
        poll.save(update_fields=["seal_salt", "bulletin_published_at"])
    if connection.vendor == "postgresql" and poll.ballot == Ballot.SECRET:
        _vacuum_pending()
    return True


def closed_payload(poll: Poll, result: Result) -> dict:
    return {
        "poll": poll.pk,
        "state": "closed",
        "eligible": result.eligible,
        "participations": result.participations,
        "ballots": result.ballots,
        "represented": result.represented,
        "turnout": result.turnout,
        "quorum_met": result.quorum_met,
        "outcomes": result.outcomes,
    }


def _adopted_clauses(poll: Poll, questions: list[dict]) -> dict[int, list[int]]:
    """proposal id → the numbers of its clauses adopted by this poll."""
    adopted = {q["question"] for q in questions if q.get("outcome") == "adopted"}
    clauses: dict[int, list[int]] = {}
    for qid, proposal_id, number in poll.questions.filter(
        clause__isnull=False, amendment__isnull=True
    ).values_list("id", "proposal_id", "clause"):
        if qid in adopted and proposal_id is not None and number is not None:
            clauses.setdefault(proposal_id, []).append(number)
    return clauses


def _record_outcomes(poll: Poll, outcomes: dict, questions: list[dict]) -> None:
    clauses = _adopted_clauses(poll, questions)
    for proposal in Proposal.objects.filter(pk__in=[int(p) for p in outcomes]):
        if proposal.state != ProposalState.VOTING:
            continue
        try:
            with transaction.atomic():
                record_vote_outcome(
                    proposal=proposal,
                    adopted=outcomes[str(proposal.pk)] == "adopted",
                    at=poll.closes,
                    adopted_clauses=clauses.get(proposal.pk, []),
                )
        except Conflict:
            logger.warning("proposal %s could not take its result", proposal.pk)


def _vacuum_pending() -> None:
    """Best effort: reclaim the deleted sealed rows' space now (they are unreadable
    without the erased salt anyway). Skipped inside an outer transaction."""
    if connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM voting_pendingballot")
    except Exception:
        logger.info("could not vacuum the sealed ballots table", exc_info=True)


def close_due_polls(*, now: datetime | None = None) -> int:
    """The sweeper: close every poll past its closing time (rows locked by a running
    close are skipped), and hand the closes of the next minutes to the workers for
    their exact moment. A poll that cannot be counted is logged and left."""
    now = now or timezone.now()
    closed = 0
    unpublished = Poll.objects.filter(
        state=PollState.CLOSED, bulletin_published_at__isnull=True
    ).values_list("pk", flat=True)
    for poll_id in list(unpublished[:20]):
        try:
            publish_bulletin(poll=poll_id)
        except Exception:
            logger.exception("poll %s: its bulletin could not be published", poll_id)
    due = list(
        Poll.objects.filter(state=PollState.OPEN, closes__lte=now)
        .order_by("closes", "id")
        .values_list("pk", flat=True)[:100]
    )
    for poll_id in due:
        try:
            if close_poll(poll=poll_id, now=now) is not None:
                closed += 1
        except Exception:
            logger.exception("poll %s could not be counted", poll_id)
    from datetime import timedelta

    from .scheduling import CLOSE_AHEAD

    soon = Poll.objects.filter(
        state=PollState.OPEN,
        closes__gt=now,
        closes__lte=now + timedelta(seconds=CLOSE_AHEAD),
    ).values_list("pk", "closes")
    for poll_id, closes in soon:
        schedule_close(poll_id, closes)
    return closed


def open_missing_polls() -> int:
    """Proposals in the vote without a poll (e.g. moved there before voting existed,
    or by hand) get theirs."""
    from .services import open_proposal_poll

    missing = Proposal.objects.filter(state=ProposalState.VOTING).exclude(
        pk__in=Poll.proposals.through.objects.values("proposal_id")
    )
    opened = 0
    for proposal in missing.select_related("unit", "policy").order_by("id")[:50]:
        try:
            open_proposal_poll(proposal=proposal)
            opened += 1
        except Exception:
            logger.exception("proposal %s: its poll could not be opened", proposal.pk)
    return opened
