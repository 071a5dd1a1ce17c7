"""Reads for congresses: tuned querysets with a fixed number of queries per page.
The dossier and the provenance trail are in `dossier.py`, the exports in
`exports.py`."""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from deliberation.errors import NotFound
from deliberation.members.models import Unit

from .models import (
    VOTES,
    AnswerRequest,
    Congress,
    CongressItem,
    Delegate,
    DelegateVote,
    ItemClause,
    ItemResponse,
)

ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "forwarded": ("forwarded_at", "id"),
    "newest": ("-forwarded_at", "-id"),
    "title": ("proposal__title", "id"),
    "margin": (F("margin").asc(nulls_last=True), "id"),
    "-margin": (F("margin").desc(nulls_last=True), "id"),
    "turnout": (F("turnout").asc(nulls_last=True), "id"),
    "-turnout": (F("turnout").desc(nulls_last=True), "id"),
}


def list_congresses() -> QuerySet[Congress]:
    return Congress.objects.annotate(
        item_count=Count("items", distinct=True),
        delegate_count=Count("delegates", distinct=True),
    ).order_by("-starts", "-id")


def get_congress(pk: int) -> Congress:
    congress = list_congresses().filter(pk=pk).first()
    if congress is None:
        raise NotFound(_("There is no such congress."))
    return congress


def clauses_prefetch() -> Prefetch:
    """Clauses with their roll-call counts (one query for a page of items)."""
    counts = {
        f"delegate_{v}": Count("delegate_votes", filter=Q(delegate_votes__vote=v))
        for v in VOTES
    }
    return Prefetch(
        "clauses", queryset=ItemClause.objects.annotate(**counts).order_by("number")
    )


def _responses_prefetch() -> Prefetch:
    return Prefetch(
        "responses",
        queryset=ItemResponse.objects.select_related(
            "unit", "clause", "author"
        ).order_by("clause__number", "created", "id"),
    )


def list_items(
    *,
    congress: Congress,
    topic: int | None = None,
    unit: int | None = None,
    min_margin: float | None = None,
    max_margin: float | None = None,
    min_turnout: float | None = None,
    decision: str | None = None,
    ordering: str | None = None,
) -> QuerySet[CongressItem]:
    qs = (
        CongressItem.objects.filter(congress=congress)
        .select_related("proposal", "proposal__unit")
        .prefetch_related(
            clauses_prefetch(),
            _responses_prefetch(),
            "proposal__topics",
            Prefetch(
                "answer_requests",
                queryset=AnswerRequest.objects.select_related("unit").order_by(
                    "unit__path"
                ),
            ),
        )
        .annotate(
            answer_overdue=Exists(
                AnswerRequest.objects.filter(
                    item=OuterRef("pk"),
                    overdue_at__isnull=False,
                    answered_at__isnull=True,
                )
            ),
            review_count=Count("reviews", distinct=True),
        )
    )
    if topic:
        qs = qs.filter(proposal__topics__id=topic)
    if unit:
        found = Unit.objects.filter(pk=unit).only("path").first()
        path = found.path if found is not None else "/none/"
        qs = qs.filter(proposal__unit__path__startswith=path)
    if min_margin is not None:
        qs = qs.filter(margin__gte=min_margin)
    if max_margin is not None:
        qs = qs.filter(margin__lte=max_margin)
    if min_turnout is not None:
        qs = qs.filter(turnout__gte=min_turnout)
    if decision:
        qs = qs.filter(decision="" if decision == "pending" else decision)
    return qs.order_by(*ORDERINGS.get(ordering or "forwarded", ORDERINGS["forwarded"]))


def get_item(*, congress: Congress, pk: int) -> CongressItem:
    item = list_items(congress=congress).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("This congress has no such item."))
    return item


def list_delegates(*, congress: Congress) -> QuerySet[Delegate]:
    return (
        Delegate.objects.filter(congress=congress)
        .select_related("member", "unit")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=DelegateVote.objects.select_related("clause").order_by(
                    "clause__item_id", "clause__number"
                ),
            )
        )
        .order_by("unit__path", "member__username", "id")
    )


def get_delegate(*, congress: Congress, pk: int) -> Delegate:
    delegate = list_delegates(congress=congress).filter(pk=pk).first()
    if delegate is None:
        raise NotFound(_("This congress has no such delegate."))
    return delegate


def group_result(item: CongressItem, unit: Unit, question: int | None) -> dict | None:
    """The members' result of the breakdown group holding `unit` (itself or an
    ancestor) for one question; None where the secrecy floor hid the group."""
    if question is None:
        return None
    ancestors = set(unit.ancestor_ids or [unit.pk])
    for group in item.breakdown or []:
        if group.get("unit") in ancestors:
            for q in group.get("questions", []):
                if q.get("question") == question:
                    return {
                        "unit": group["unit"],
                        "ballots": group["ballots"],
                        **q["counts"],
                    }
    return None


def delegate_record(delegate: Delegate) -> list[dict]:
    """Every vote of the delegate beside the member result of their unit's group."""
    clause_ids = [v.clause_id for v in delegate.votes.all()]
    clauses = {
        c.pk: c
        for c in ItemClause.objects.filter(pk__in=clause_ids).select_related(
            "item", "item__proposal"
        )
    }
    rows = []
    for vote in delegate.votes.all():
        clause = clauses[vote.clause_id]
        group = group_result(clause.item, delegate.unit, clause.question)
        rows.append(
            {
                "vote": vote,
                "clause": clause,
                "item": clause.item,
                "group": group,
                "followed": followed_mandate(vote.vote, group),
            }
        )
    return rows


def followed_mandate(vote: str, group: dict | None) -> bool | None:
    """Did the delegate vote as the majority of their group's members? None when
    the group's result is not shown, or the delegate abstained, or it was a tie."""
    if group is None or vote == "abstain" or group["yes"] == group["no"]:
        return None
    return (vote == "yes") == (group["yes"] > group["no"])
