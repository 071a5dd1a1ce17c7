"""Forwarding proposals to congresses (docs/congress.md, "How items arrive").

* A proposal of the national unit adopted by the members' vote while a congress
  takes items (between `window_opens` and `items_deadline`) becomes an item of it.
* A proposal of a lower unit becomes one when its support reaches the national
  admission quorum — the national policy's share of every member of the party, the
  same flat rule as admission. No board forwards anything.

Forwarding is idempotent (one item per congress and proposal, a database
constraint) and stores a snapshot of the members' result per clause."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from deliberation.discussions.models import ThreadKind
from deliberation.discussions.services import create_thread
from deliberation.members.selectors import subtree_member_count
from proposals.models import Proposal, State
from proposals.selectors import policy_for_unit
from voting.models import Poll, PollKind, PollState, Result

from ..models import AnswerRequest, Congress, CongressItem, ItemClause, Route
from ..permissions import national_unit

logger = logging.getLogger(__name__)

QUORUM_CACHE_SECONDS = 60


def taking_items(at: datetime) -> QuerySet[Congress]:
    return Congress.objects.filter(
        closed_at__isnull=True, window_opens__lte=at, items_deadline__gte=at
    )


def national_quorum(*, fresh: bool = False) -> int | None:
    """Supports a proposal needs to reach congress without a national vote: the
    national policy's admission quorum of every current member (cached a minute)."""
    key = "congress:national-quorum"
    if not fresh:
        try:
            cached = cache.get(key)
        except Exception:  # the cache is down: count
            cached = None
        if cached is not None:
            return int(cached)
    national = national_unit()
    if national is None:
        return None
    needed = policy_for_unit(national).needed(subtree_member_count(national))
    try:
        cache.set(key, needed, timeout=QUORUM_CACHE_SECONDS)
    except Exception:
        logger.info("congress: could not cache the national quorum", exc_info=True)
    return needed


def forward_adopted(*, proposal: Proposal, at: datetime) -> list[CongressItem]:
    items = [
        forward_proposal(congress=c, proposal=proposal, route=Route.ADOPTED, at=at)
        for c in taking_items(at)
    ]
    return [i for i in items if i is not None]


def forward_if_quorum(*, proposal: Proposal) -> list[CongressItem]:
    now = timezone.now()
    congresses = list(taking_items(now))
    if not congresses or not proposal.is_published:
        return []
    needed = national_quorum()
    if needed is None or proposal.support_count < needed:
        return []
    items = [
        forward_proposal(congress=c, proposal=proposal, route=Route.SUPPORT, at=now)
        for c in congresses
    ]
    return [i for i in items if i is not None]


def member_poll(proposal: Proposal) -> Poll | None:
    return (
        Poll.objects.filter(
            proposals=proposal, kind=PollKind.PROPOSAL, state=PollState.CLOSED
        )
        .order_by("-closes", "-id")
        .first()
    )


def forward_proposal(
    *, congress: Congress, proposal: Proposal, route: str, at: datetime
) -> CongressItem | None:
    """Make the proposal an item of the congress (None if it is one already)."""
    if CongressItem.objects.filter(congress=congress, proposal=proposal).exists():
        return None
    national = national_unit() or proposal.unit
    try:
        with transaction.atomic():
            thread = create_thread(
                title=proposal.title, unit=national, kind=ThreadKind.CONGRESS
            )
            item = CongressItem.objects.create(
                congress=congress,
                proposal=proposal,
                route=route,
                forwarded_at=at,
                thread=thread,
            )
    except IntegrityError:  # forwarded at the same moment by another transaction
        return None
    ItemClause.objects.bulk_create(
        [
            ItemClause(item=item, number=n, text=text)
            for n, text in enumerate(proposal.effective_clauses, 1)
        ]
    )
    take_snapshot(item)
    due = max(at, timezone.now()) + timedelta(days=congress.answer_days)
    units = {proposal.unit_id: proposal.unit, national.pk: national}
    AnswerRequest.objects.bulk_create(
        [AnswerRequest(item=item, unit=u, due=due) for u in units.values()]
    )
    return item


def take_snapshot(item: CongressItem) -> None:
    """Copy the members' result (if their vote is counted) onto the item."""
    poll = member_poll(item.proposal)
    result = Result.objects.filter(poll=poll).first() if poll is not None else None
    if poll is None or result is None:
        return
    from voting.models import Question

    by_question = {q["question"]: q for q in result.questions}
    questions = dict(
        Question.objects.filter(
            poll=poll, proposal=item.proposal, amendment__isnull=True
        )
        .exclude(clause__isnull=True)
        .values_list("clause", "pk")
    )
    first_margin = None
    clauses = list(item.clauses.order_by("number"))
    for clause in clauses:
        qid = questions.get(clause.number)
        counted = by_question.get(qid) if qid is not None else None
        if counted is None or "counts" not in counted:
            continue
        counts = counted["counts"]
        clause.question = qid
        clause.member_yes = counts.get("yes", 0)
        clause.member_no = counts.get("no", 0)
        clause.member_abstain = counts.get("abstain", 0)
        clause.member_outcome = counted.get("outcome", "")
        if first_margin is None:
            decided = clause.member_yes + clause.member_no
            first_margin = (
                (clause.member_yes - clause.member_no) / decided if decided else 0.0
            )
    ItemClause.objects.bulk_update(
        clauses,
        ["question", "member_yes", "member_no", "member_abstain", "member_outcome"],
    )
    item.poll = poll
    item.eligible = result.eligible
    item.participations = result.participations
    item.turnout = result.turnout
    item.margin = round(first_margin, 4) if first_margin is not None else None
    item.ballot = poll.ballot
    item.breakdown = result.breakdown
    item.delegated_weight = _delegated_weight(poll, result)
    item.save(
        update_fields=[
            "poll",
            "eligible",
            "participations",
            "turnout",
            "margin",
            "ballot",
            "breakdown",
            "delegated_weight",
        ]
    )


def _delegated_weight(poll: Poll, result: Result) -> int | None:
    """Open polls: the votes cast by delegation (the counted weight of the first
    yes/no question beyond one per ballot). None for secret polls."""
    if poll.is_secret:
        return None
    for q in result.questions:
        counts = q.get("counts")
        if counts:
            return max(0, sum(counts.values()) - result.ballots)
    return 0


def refresh_snapshots(*, proposal: Proposal) -> int:
    """After the members' vote on an item already forwarded (by support)."""
    n = 0
    for item in CongressItem.objects.filter(
        proposal=proposal, congress__closed_at__isnull=True, poll__isnull=True
    ).select_related("proposal"):
        take_snapshot(item)
        n += 1
    return n


def forward_missed(*, now: datetime | None = None) -> int:
    """The sweep's catch-up: adopted national proposals and lower-unit proposals at
    the national quorum that a failed hook (or downtime) left out."""
    now = now or timezone.now()
    forwarded = 0
    for congress in Congress.objects.filter(
        closed_at__isnull=True, window_opens__lte=now
    ):
        have = CongressItem.objects.filter(congress=congress).values("proposal_id")
        adopted = (
            Proposal.objects.filter(
                state=State.ADOPTED,
                unit__parent__isnull=True,
                closed_at__gte=congress.window_opens,
                closed_at__lte=congress.items_deadline,
            )
            .exclude(pk__in=have)
            .select_related("unit")
        )
        for proposal in adopted[:200]:
            if forward_proposal(
                congress=congress,
                proposal=proposal,
                route=Route.ADOPTED,
                at=proposal.closed_at or now,
            ):
                forwarded += 1
        if now > congress.items_deadline:
            continue
        needed = national_quorum(fresh=True)
        if needed is None:
            continue
        supported = (
            Proposal.objects.published()
            .filter(unit__parent__isnull=False, support_count__gte=needed)
            .exclude(state__in=[State.WITHDRAWN, State.DRAFT])
            .exclude(pk__in=have)
            .select_related("unit")
        )
        for proposal in supported[:200]:
            if forward_proposal(
                congress=congress, proposal=proposal, route=Route.SUPPORT, at=now
            ):
                forwarded += 1
    return forwarded
