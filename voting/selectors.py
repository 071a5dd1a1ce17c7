"""Reads for voting: tuned querysets with a fixed number of queries per page, the
tally's input for open polls (the seam for delegation), and the bulletin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from deliberation.members.viewer import Viewer, signed_in
from proposals.models import Proposal

from .answers import decode, specs_of
from .delegated import resolve_poll
from .models import (
    BulletinBallot,
    OpenBallot,
    Option,
    Participation,
    Poll,
    PollState,
    Question,
    QuestionKind,
    VoterRoll,
)
from .tally import PollSpec, TallyInput


def _questions_prefetch() -> Prefetch:
    return Prefetch(
        "questions",
        queryset=Question.objects.order_by("position").prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position"))
        ),
    )


def _proposals_prefetch() -> Prefetch:
    return Prefetch(
        "proposals",
        queryset=Proposal.objects.only("id").order_by("id"),
        to_attr="proposal_list",
    )


def base_queryset(*, viewer: Viewer) -> QuerySet:
    qs = (
        Poll.objects.select_related("unit", "result")
        .defer("seal_salt")
        .annotate(participation_count=Count("participations", distinct=True))
    )
    if signed_in(viewer):
        qs = qs.annotate(
            viewer_has_voted=Exists(
                Participation.objects.filter(poll=OuterRef("pk"), member=viewer)
            ),
            viewer_eligible=Exists(
                VoterRoll.objects.filter(poll=OuterRef("pk"), member=viewer)
            ),
        )
    return qs


def list_polls(
    *,
    viewer: Viewer,
    state: str | None = None,
    unit: int | None = None,
    proposal: int | None = None,
    kind: str | None = None,
) -> QuerySet:
    """Polls, newest first; `state` = open | closed (open includes “counting”)."""
    qs = base_queryset(viewer=viewer).prefetch_related(
        _questions_prefetch(), _proposals_prefetch()
    )
    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(unit_id=unit)
    if proposal:
        qs = qs.filter(proposals__id=proposal)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opens", "-id")


def get_poll(*, viewer: Viewer, pk: int) -> Poll:
    """One poll with its questions and options (raises Poll.DoesNotExist)."""
    return (
        base_queryset(viewer=viewer)
        .prefetch_related(_questions_prefetch(), _proposals_prefetch())
        .get(pk=pk)
    )


def questions_of(poll: Poll) -> list[Question]:
    cache = getattr(poll, "_prefetched_objects_cache", {})
    if "questions" in cache:
        return list(cache["questions"])
    return list(
        poll.questions.order_by("position").prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position"))
        )
    )


def poll_spec(poll: Poll) -> PollSpec:
    questions = questions_of(poll)
    status_quo: dict[int, int] = {}
    proposal_of_option: dict[int, int] = {}
    for q in questions:
        for o in q.options.all():
            if o.is_status_quo:
                status_quo[q.pk] = o.pk
            elif o.proposal_id:
                proposal_of_option[o.pk] = o.proposal_id
    group = list(poll.proposals.order_by("created", "id").values_list("pk", flat=True))
    if poll.proposal_id in group:
        group.remove(poll.proposal_id)
        group.insert(0, poll.proposal_id)
    return PollSpec(
        questions=specs_of(questions),
        majority=poll.majority,
        turnout_quorum=poll.turnout_quorum,
        eligible=poll.eligible_count,
        status_quo=status_quo,
        proposal_of_question={
            q.pk: q.proposal_id
            for q in questions
            if q.proposal_id and q.kind == QuestionKind.YES_NO_ABSTAIN
        },
        amendment_questions=frozenset(q.pk for q in questions if q.amendment_id),
        proposal_of_option=proposal_of_option,
        proposals=tuple(group),
    )


def open_tally_inputs(poll: Poll) -> list[TallyInput]:
    """The tally's input for an open poll: who voted, with what weight, and their
    answers. With delegation (voting/delegated.py) a voter's weight is 1 plus the
    votes delegated to them, resolved over the delegations valid at the closing
    time; without it 1 each."""
    units = dict(
        VoterRoll.objects.filter(poll=poll).values_list("member_id", "unit_id")
    )
    rows = list(
        OpenBallot.objects.filter(poll=poll)
        .order_by("member_id")
        .values_list("member_id", "answers")
    )
    weights: dict[int, int] = {}
    if poll.delegation:
        resolution = resolve_poll(poll, voters={m for m, _a in rows}, roll=set(units))
        weights = resolution.weights if resolution else {}
    return [
        TallyInput(
            answers=answers,
            weight=weights.get(member_id, 1),
            voter=member_id,
            unit=units.get(member_id),
        )
        for member_id, answers in rows
    ]


def has_voted(poll: Poll, member: Viewer | None) -> bool:
    if not signed_in(member):
        return False
    return Participation.objects.filter(poll=poll, member=member).exists()


def turnout_of(poll: Poll) -> int:
    return Participation.objects.filter(poll=poll).count()


def bulletin_of(poll: Poll) -> QuerySet:
    """The counted ballots in the bulletin's order (by random id — unrelated to the
    order of casting)."""
    return (
        BulletinBallot.objects.filter(poll=poll).select_related("voter").order_by("id")
    )


def bulletin_rows(poll: Poll, ballots: Iterable[BulletinBallot]) -> list[dict]:
    specs = specs_of(questions_of(poll))
    rows = []
    for b in ballots:
        row: dict = {
            "receipt_hash": b.receipt_hash or None,
            "answers": decode(b.answers, specs),
        }
        if b.voter_id and b.voter is not None:
            row["voter"] = {
                "id": b.voter_id,
                "username": b.voter.username,
                "name": b.voter.display_name,
            }
            row["weight"] = b.weight
        rows.append(row)
    return rows


def open_ballots_of(poll: Poll) -> QuerySet:
    """Open polls while voting: the public ballots so far, with the voters."""
    return (
        OpenBallot.objects.filter(poll=poll)
        .select_related("member")
        .order_by("member__username", "id")
    )


def open_ballot_rows(poll: Poll, ballots: Iterable[OpenBallot]) -> list[dict]:
    """With delegation, each voter's weight as the delegations stand now."""
    specs = specs_of(questions_of(poll))
    resolution = resolve_poll(poll, at=timezone.now()) if poll.delegation else None
    weights = resolution.weights if resolution else {}
    return [
        {
            "receipt_hash": None,
            "answers": decode(b.answers, specs),
            "voter": {
                "id": b.member_id,
                "username": b.member.username,
                "name": b.member.display_name,
            },
            "weight": weights.get(b.member_id, 1),
        }
        for b in ballots
    ]


def due_polls(now: datetime) -> QuerySet[Poll]:
    return Poll.objects.filter(state=PollState.OPEN, closes__lte=now)
