"""Writes for voting: opening polls (proposal polls and advisory polls), freezing the
voter roll, and casting or replacing a ballot. Closing and counting live in
`voting/closing.py` (re-exported here). Design and threat model: docs/voting.md.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.discussions.models import Thread
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.members.models import Member, Membership, Unit
from proposals.models import Policy, Proposal, ProposalKind
from proposals.models import State as ProposalState
from proposals.selectors import amendments_to_vote, ballot_group, policy_for_unit

from . import answers as answer_codec
from . import notifying, permissions, sealing
from .events import announce_turnout
from .models import (
    Ballot,
    OpenBallot,
    Option,
    Participation,
    PendingBallot,
    Poll,
    PollKind,
    PollState,
    Question,
    QuestionKind,
    VoterRoll,
)
from .scheduling import schedule_close

logger = logging.getLogger(__name__)

QUESTION_MIN, QUESTION_MAX = 5, 300
OPTION_MAX, OPTIONS_MAX = 300, 20
ROLL_BATCH = 2000


# ------------------------------------------------------------------ opening


def _finish_opening(poll: Poll, at: datetime) -> Poll:
    """Freeze the roll, fix the sealed size, schedule the close."""
    poll.eligible_count = _freeze_roll(poll, at)
    specs = answer_codec.specs_of(poll.questions.prefetch_related("options"))
    if poll.is_secret:
        poll.seal_salt = sealing.new_salt()
        poll.sealed_size = sealing.sealed_size_for(
            answer_codec.max_encoded_length(specs)
        )
    poll.save(update_fields=["eligible_count", "seal_salt", "sealed_size"])
    notifying.poll_opened(poll)
    transaction.on_commit(lambda: schedule_close(poll.pk, poll.closes))
    return poll


def _freeze_roll(poll: Poll, at: datetime) -> int:
    """The members of the poll's unit and the units below it on the opening day, who
    have been members for at least `min_membership_days`. Each is counted once, in
    the unit right below the poll's unit that holds their membership (breakdown)."""
    day = timezone.localdate(at)
    cutoff = day - timedelta(days=poll.min_membership_days)
    depth = len(poll.unit.ancestor_ids)
    if connection.vendor == "postgresql":
        return _freeze_roll_sql(poll, day, cutoff, depth)
    rows = (
        Membership.objects.current(day)
        .filter(
            unit__path__startswith=poll.unit.path,
            since__lte=cutoff,
            member__is_active=True,
        )
        .order_by("member_id", "unit__path")
        .values_list("member_id", "unit__path")
    )
    seen: dict[int, int] = {}
    for member_id, path in rows.iterator(chunk_size=5000):
        if member_id in seen:
            continue
        ids = [int(p) for p in path.strip("/").split("/") if p]
        seen[member_id] = ids[depth] if len(ids) > depth else poll.unit_id
    entries = [VoterRoll(poll=poll, member_id=m, unit_id=u) for m, u in seen.items()]
    VoterRoll.objects.bulk_create(entries, batch_size=ROLL_BATCH)
    return len(entries)


_FREEZE_SQL = """
    INSERT INTO voting_voterroll (poll_id, member_id, unit_id)
    SELECT DISTINCT ON (ms.member_id) %(poll)s, ms.member_id,
        COALESCE(NULLIF(split_part(u.path, '/', %(segment)s), '')::bigint, %(unit)s)
    FROM members_membership ms
    JOIN members_unit u ON u.id = ms.unit_id
    JOIN members_member m ON m.id = ms.member_id
    WHERE u.path LIKE %(prefix)s AND m.is_active
        AND ms.since <= %(day)s AND ms.since <= %(cutoff)s
        AND (ms.until IS NULL OR ms.until >= %(day)s)
    ORDER BY ms.member_id, u.path
"""


def _freeze_roll_sql(poll: Poll, day: date, cutoff: date, depth: int) -> int:
    """The same roll in one statement (100,000 members in well under a second)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FREEZE_SQL,
            {
                "poll": poll.pk,
                "segment": depth + 2,
                "unit": poll.unit_id,
                "prefix": poll.unit.path + "%",
                "day": day,
                "cutoff": cutoff,
            },
        )
        return cursor.rowcount


def _min_membership_days(policy: Policy) -> int:
    own = getattr(policy, "min_membership_days", None)
    return int(own or getattr(settings, "POLL_MIN_MEMBERSHIP_DAYS", 0) or 0)


def _delegation(policy: Policy, ballot: str) -> dict:
    """Delegation applies to open ballots where the policy allows it; the cap is
    fixed when the poll opens."""
    allowed = bool(policy.delegation_allowed) and ballot == Ballot.OPEN
    return {
        "delegation": allowed,
        "delegation_cap": policy.delegation_cap if allowed else None,
    }


@transaction.atomic
def open_proposal_poll(*, proposal: Proposal, at: datetime | None = None) -> Poll:
    """The poll of a proposal (and its alternatives) entering the vote. Called from
    proposals' `voting_started` hook in the same transaction as the move, and by the
    sweeper for any proposal in the vote without a poll. Idempotent: the group has
    one poll (`one_poll_per_proposal_group`); a later member of the group joins it."""
    group = ballot_group(proposal)
    root = group[0]
    existing = Poll.objects.filter(kind=PollKind.PROPOSAL, proposal=root).first()
    if existing is not None:
        existing.proposals.add(proposal)
        return existing
    at = at or proposal.voting_started_at or timezone.now()
    policy = root.policy or policy_for_unit(root.unit)
    members = [
        p
        for p in group
        if p.pk == proposal.pk
        or p.state in (ProposalState.FROZEN, ProposalState.VOTING)
    ]
    closes = proposal.phase_ends or at + timedelta(days=policy.voting_days)
    if closes <= at:
        closes = at + timedelta(days=policy.voting_days)
    poll = Poll.objects.create(
        kind=PollKind.PROPOSAL,
        title=root.title,
        unit=root.unit,
        thread_id=root.thread_id,
        proposal=root,
        ballot=policy.ballot,
        majority=(
            policy.rules_majority
            if root.kind == ProposalKind.RULES
            else policy.majority
        ),
        turnout_quorum=policy.turnout_quorum,
        min_membership_days=_min_membership_days(policy),
        opens=at,
        closes=closes,
        **_delegation(policy, policy.ballot),
    )
    poll.proposals.add(*members)
    position = 0
    for member in members:
        for number, clause in enumerate(member.effective_clauses, 1):
            Question.objects.create(
                poll=poll,
                position=position,
                kind=QuestionKind.YES_NO_ABSTAIN,
                text=clause,
                proposal=member,
                clause=number,
            )
            position += 1
        for amendment in amendments_to_vote(member).order_by("created", "id"):
            Question.objects.create(
                poll=poll,
                position=position,
                kind=QuestionKind.YES_NO_ABSTAIN,
                text=amendment.replacement or amendment.original,
                proposal=member,
                amendment=amendment,
            )
            position += 1
    if len(members) > 1:
        ranked = Question.objects.create(
            poll=poll, position=position, kind=QuestionKind.RANKED, text=""
        )
        for n, member in enumerate(members):
            Option.objects.create(
                question=ranked, position=n, text=member.title[:300], proposal=member
            )
        Option.objects.create(
            question=ranked, position=len(members), text="", is_status_quo=True
        )
    return _finish_opening(poll, at)


@transaction.atomic
def create_advisory_poll(
    *,
    actor: Member,
    unit: Unit,
    thread: Thread | None,
    question: str,
    method: str,
    options: list[str] | None,
    ballot: str,
    closes: datetime,
) -> Poll:
    """A member's advisory poll in one of the unit's threads (clearly marked as
    advisory: it decides nothing)."""
    if not permissions.can_create_advisory_poll(actor, unit):
        raise NotAllowed(_("Only members of this unit can open a poll here."))
    errors: dict[str, list[str]] = {}
    question = (question or "").strip()
    if not QUESTION_MIN <= len(question) <= QUESTION_MAX:
        errors["question"] = [
            _("The question needs %(min)d to %(max)d characters.")
            % {"min": QUESTION_MIN, "max": QUESTION_MAX}
        ]
    if thread is not None and thread.unit_id != unit.pk:
        errors["thread"] = [_("The thread belongs to another unit.")]
    if ballot not in Ballot.values:
        errors["ballot"] = [_("The ballot must be secret or open.")]
    texts: list[str] = []
    if method == "schulze":
        if not isinstance(options, list) or not all(
            isinstance(o, str) for o in options
        ):
            errors["options"] = [_("Options must be a list of texts.")]
        else:
            texts = [o.strip() for o in options if o and o.strip()]
            if not 2 <= len(texts) <= OPTIONS_MAX:
                errors["options"] = [
                    _("A ranked poll needs 2 to %(n)d options.") % {"n": OPTIONS_MAX}
                ]
            elif len(set(texts)) != len(texts):
                errors["options"] = [_("Two options have the same text.")]
            elif any(len(t) > OPTION_MAX for t in texts):
                errors["options"] = [
                    _("An option can have at most %(n)d characters.")
                    % {"n": OPTION_MAX}
                ]
    elif method != "yes_no_abstain":
        errors["method"] = [_("The method must be yes_no_abstain or schulze.")]
    now = timezone.now()
    shortest = timedelta(seconds=int(getattr(settings, "POLL_MIN_DURATION", 3600)))
    if not isinstance(closes, datetime):
        errors["closes"] = [_("Give the closing time as a date and time.")]
    elif closes < now + shortest:
        seconds = int(shortest.total_seconds())
        errors["closes"] = [
            ngettext(
                "The poll must stay open at least %(n)d minute.",
                "The poll must stay open at least %(n)d minutes.",
                seconds // 60,
            )
            % {"n": seconds // 60}
            if seconds >= 60
            else ngettext(
                "The poll must stay open at least %(n)d second.",
                "The poll must stay open at least %(n)d seconds.",
                seconds,
            )
            % {"n": seconds}
        ]
    if errors:
        raise ValidationError(errors)
    policy = policy_for_unit(unit)
    poll = Poll.objects.create(
        kind=PollKind.ADVISORY,
        title=question,
        unit=unit,
        thread=thread,
        ballot=ballot,
        min_membership_days=_min_membership_days(policy),
        opens=now,
        closes=closes,
        created_by=actor,
        **_delegation(policy, ballot),
    )
    kind = QuestionKind.RANKED if method == "schulze" else QuestionKind.YES_NO_ABSTAIN
    q = Question.objects.create(poll=poll, position=0, kind=kind, text=question)
    Option.objects.bulk_create(
        [Option(question=q, position=n, text=t) for n, t in enumerate(texts)]
    )
    return _finish_opening(poll, now)


# ------------------------------------------------------------------ casting


@dataclass(frozen=True)
class CastResult:
    receipt: str | None  # None for open polls (the voter's name is the key)
    replaced: bool


def _lock_shared(poll_id: int) -> Poll:
    """Read the poll under a shared row lock (PostgreSQL FOR KEY SHARE): casts do not
    wait for each other, but the close (FOR UPDATE) waits for every cast in flight,
    and a cast that starts after the close sees it closed. SQLite serialises writers
    anyway (IMMEDIATE transactions)."""
    qs = Poll.objects.select_related("unit")
    if connection.vendor == "postgresql":
        poll = qs.raw(
            "SELECT * FROM voting_poll WHERE id = %s FOR KEY SHARE", [poll_id]
        )
        found = list(poll)
        if not found:
            raise Poll.DoesNotExist
        return found[0]
    return qs.get(pk=poll_id)


def _check_open(poll: Poll, now: datetime) -> None:
    if poll.state != PollState.OPEN or now >= poll.closes:
        raise Conflict(_("The poll has closed; no more ballots."), code="poll_closed")
    if now < poll.opens:
        raise Conflict(_("The poll has not opened yet."), code="poll_not_open")


def _roll_unit(poll: Poll, member: Member) -> int | None:
    entry = VoterRoll.objects.filter(poll=poll, member=member).values("unit_id").first()
    if entry is None:
        raise NotAllowed(
            _(
                "You are not on this poll's voter roll: it holds the members of "
                "%(unit)s and the units below it when the poll opened."
            )
            % {"unit": poll.unit.name}
        )
    return entry["unit_id"]


@transaction.atomic
def cast_ballot(
    *, poll: Poll | int, member: Member, payload: dict, receipt: str | None = None
) -> CastResult:
    """Cast (or replace) the member's ballot. `payload` is the request body
    (`{"answers": [...]}`, or the short form for a single question). A secret ballot
    is sealed and stored apart from the participation; its receipt is returned once.
    Bad answers, a closed poll, a voter not on the roll or a wrong receipt raise a
    clear error and change nothing."""
    poll_id = poll if isinstance(poll, int) else poll.pk
    poll = _lock_shared(poll_id)
    _check_open(poll, timezone.now())
    unit_id = _roll_unit(poll, member)
    specs = answer_codec.specs_of(poll.questions.prefetch_related("options"))
    encoded = answer_codec.encode(answer_codec.normalise(payload, specs), specs)
    if poll.ballot == Ballot.OPEN:
        return _cast_open(poll, member, encoded)
    if receipt is not None:
        return _replace_secret(poll, member, sealing.clean_receipt(receipt), encoded)
    try:
        with transaction.atomic():
            Participation.objects.create(poll=poll, member=member)
    except IntegrityError as exc:
        raise Conflict(
            _(
                "You have already voted in this poll. To change your ballot, "
                "send it again with your receipt."
            ),
            code="already_voted",
        ) from exc
    new = sealing.new_receipt()
    lookup = sealing.replacement_lookup(poll.pk, new)
    PendingBallot.objects.create(
        id=uuid.uuid4(),
        poll=poll,
        lookup=lookup,
        sealed=sealing.seal(
            poll,
            lookup=lookup,
            receipt_digest=sealing.receipt_hash(new),
            unit=unit_id,
            answers=encoded,
        ),
    )
    transaction.on_commit(lambda: announce_turnout(poll.pk))
    return CastResult(receipt=new, replaced=False)


def _replace_secret(
    poll: Poll, member: Member, receipt: str, encoded: str
) -> CastResult:
    if not Participation.objects.filter(poll=poll, member=member).exists():
        raise Conflict(
            _(
                "You have not voted in this poll yet: send your ballot without "
                "a receipt."
            ),
            code="not_voted",
        )
    lookup = sealing.replacement_lookup(poll.pk, receipt)
    row = (
        PendingBallot.objects.select_for_update()
        .filter(poll=poll, lookup=lookup)
        .first()
    )
    if row is None:
        raise ServiceError(
            _("This receipt does not match a ballot in this poll."),
            code="wrong_receipt",
        )
    digest, unit_id, _old = sealing.unseal(
        sealing.poll_cipher(poll), poll.pk, lookup, bytes(row.sealed)
    )
    row.sealed = sealing.seal(
        poll, lookup=lookup, receipt_digest=digest, unit=unit_id, answers=encoded
    )
    row.save(update_fields=["sealed"])
    return CastResult(receipt=receipt, replaced=True)


def _cast_open(poll: Poll, member: Member, encoded: str) -> CastResult:
    """Open polls: the ballot is public and changes until the close."""
    try:
        with transaction.atomic():
            Participation.objects.create(poll=poll, member=member)
        new = True
    except IntegrityError:
        new = False
    updated = OpenBallot.objects.filter(poll=poll, member=member).update(
        answers=encoded, updated=timezone.now()
    )
    if not updated:
        OpenBallot.objects.create(poll=poll, member=member, answers=encoded)
    if new:
        transaction.on_commit(lambda: announce_turnout(poll.pk))
    return CastResult(receipt=None, replaced=not new)


from .closing import close_due_polls, close_poll, open_missing_polls  # noqa: E402

__all__ = [
    "CastResult",
    "cast_ballot",
    "close_due_polls",
    "close_poll",
    "create_advisory_poll",
    "open_missing_polls",
    "open_proposal_poll",
]
