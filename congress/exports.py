"""CSV and JSON of every item of a congress, streamed: items are read in chunks
(`iterator`) and written row by row, so 1,000 items never sit in memory whole
(bench/bench_congress_export.py). The same figures as the items API."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db.models import Count, Q

from .models import VOTES, Congress, CongressItem, ItemClause

CHUNK = 200

CSV_COLUMNS = [
    "congress",
    "item",
    "proposal",
    "title",
    "unit",
    "route",
    "clause",
    "clause_text",
    "member_yes",
    "member_no",
    "member_abstain",
    "member_outcome",
    "turnout",
    "participations",
    "eligible",
    "delegate_yes",
    "delegate_no",
    "delegate_abstain",
    "clause_decision",
    "decision",
    "followup_status",
]


def _items(congress: Congress) -> Iterator[tuple[CongressItem, list[ItemClause]]]:
    """Items in order with their clauses and roll-call counts, a chunk at a time
    (two queries a chunk)."""
    base = (
        CongressItem.objects.filter(congress=congress)
        .select_related("proposal", "proposal__unit")
        .only(
            "id",
            "congress_id",
            "route",
            "turnout",
            "participations",
            "eligible",
            "decision",
            "followup_status",
            "proposal__id",
            "proposal__title",
            "proposal__unit__name",
        )
        .order_by("id")
    )
    counts = {
        f"delegate_{v}": Count("delegate_votes", filter=Q(delegate_votes__vote=v))
        for v in VOTES
    }
    last = 0
    while True:
        chunk = list(base.filter(id__gt=last)[:CHUNK])
        if not chunk:
            return
        clauses: dict[int, list[ItemClause]] = {}
        for c in (
            ItemClause.objects.filter(item_id__in=[i.pk for i in chunk])
            .annotate(**counts)
            .order_by("item_id", "number")
        ):
            clauses.setdefault(c.item_id, []).append(c)
        for item in chunk:
            yield item, clauses.get(item.pk, [])
        last = chunk[-1].pk


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(congress: Congress) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for item, clauses in _items(congress):
        for c in clauses:
            yield writer.writerow(
                [
                    congress.pk,
                    item.pk,
                    item.proposal_id,
                    item.proposal.title,
                    item.proposal.unit.name,
                    item.route,
                    c.number,
                    c.text,
                    _blank(c.member_yes),
                    _blank(c.member_no),
                    _blank(c.member_abstain),
                    c.member_outcome,
                    _blank(item.turnout),
                    _blank(item.participations),
                    _blank(item.eligible),
                    getattr(c, "delegate_yes", 0),
                    getattr(c, "delegate_no", 0),
                    getattr(c, "delegate_abstain", 0),
                    c.decision,
                    item.decision,
                    item.followup_status,
                ]
            )


def _blank(value: object) -> object:
    return "" if value is None else value


def json_chunks(congress: Congress) -> Iterator[str]:
    head = {
        "congress": {
            "id": congress.pk,
            "name": congress.name,
            "starts": congress.starts.isoformat(),
            "ends": congress.ends.isoformat(),
            "state": congress.state,
        }
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
    first = True
    for item, clauses in _items(congress):
        row = {
            "id": item.pk,
            "proposal": item.proposal_id,
            "title": item.proposal.title,
            "unit": item.proposal.unit.name,
            "route": item.route,
            "turnout": item.turnout,
            "participations": item.participations,
            "eligible": item.eligible,
            "clauses": [
                {
                    "id": c.pk,
                    "number": c.number,
                    "text": c.text,
                    "member_result": {
                        "yes": c.member_yes,
                        "no": c.member_no,
                        "abstain": c.member_abstain,
                        "outcome": c.member_outcome or None,
                    },
                    "delegate_votes": {
                        v: getattr(c, f"delegate_{v}", 0) for v in VOTES
                    },
                    "decision": c.decision or None,
                }
                for c in clauses
            ],
            "decision": item.decision or None,
            "followup_status": item.followup_status,
        }
        yield ("" if first else ",") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]}"
