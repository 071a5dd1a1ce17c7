"""How a proposal spread (docs/flat.md): which units its supporters come from, over
time, and where it is on its way up. A fixed number of queries whatever the number of
supporters: one aggregate over the supports (per unit and time bucket), the units
involved with their ancestors, and the climbs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from deliberation.members.models import Unit

from .models import Climb, Proposal, Support
from .search import uses_postgres

BUCKETS = 24


@dataclass
class UnitSpread:
    unit: Unit | None
    supporters: int
    buckets: list[int] = field(default_factory=list)  # supports per time bucket


@dataclass
class Spread:
    proposal: Proposal
    start: datetime
    end: datetime
    units: list[UnitSpread]  # most supporters first
    units_by_id: dict[int, Unit]  # with every ancestor, for the tree
    subtree: dict[int, int]  # unit id → supporters in its subtree
    path: list[Unit]  # where it started, up to the top
    climbs: list[Climb]
    total: int


def _rows(proposal: Proposal, start: datetime, end: datetime) -> list[tuple]:
    """(unit id, bucket 0…BUCKETS-1, supports), one aggregate query."""
    lo, hi = start.timestamp(), max(end.timestamp(), start.timestamp() + 1)
    if uses_postgres():
        sql = """
            SELECT unit_id,
                   LEAST(GREATEST(width_bucket(EXTRACT(EPOCH FROM created),
                                               %s, %s, %s), 1), %s) - 1,
                   COUNT(*)
            FROM proposals_support WHERE proposal_id = %s
            GROUP BY 1, 2
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [lo, hi, BUCKETS, BUCKETS, proposal.pk])
            return list(cursor.fetchall())
    counts: dict[tuple, int] = {}
    for unit_id, created in Support.objects.filter(proposal=proposal).values_list(
        "unit_id", "created"
    ):
        share = (created.timestamp() - lo) / (hi - lo)
        bucket = min(BUCKETS - 1, max(0, int(share * BUCKETS)))
        counts[(unit_id, bucket)] = counts.get((unit_id, bucket), 0) + 1
    return [(u, b, n) for (u, b), n in counts.items()]


def proposal_spread(proposal: Proposal) -> Spread:
    now = timezone.now()
    start = proposal.published_at or proposal.created
    end = max(now, start)
    climbs = list(Climb.objects.filter(proposal=proposal).order_by("at", "id"))
    per_unit: dict[int | None, list[int]] = {}
    for unit_id, bucket, n in _rows(proposal, start, end):
        per_unit.setdefault(unit_id, [0] * BUCKETS)[int(bucket)] += n
    origin_id = climbs[0].from_unit_id if climbs else proposal.unit_id
    wanted: set[int] = {origin_id, proposal.unit_id}
    paths = dict(
        Unit.objects.filter(pk__in=[u for u in per_unit if u is not None]).values_list(
            "pk", "path"
        )
    )
    for path in paths.values():
        wanted.update(int(p) for p in path.strip("/").split("/") if p)
    origin = Unit.objects.filter(pk=origin_id).only("path").first()
    if origin is not None:
        wanted.update(origin.ancestor_ids)
    units_by_id = {u.pk: u for u in Unit.objects.filter(pk__in=wanted)}
    subtree: dict[int, int] = {}
    units: list[UnitSpread] = []
    for unit_id, buckets in per_unit.items():
        total = sum(buckets)
        unit = units_by_id.get(unit_id) if unit_id is not None else None
        units.append(UnitSpread(unit=unit, supporters=total, buckets=buckets))
        if unit is not None:
            for ancestor in unit.ancestor_ids:
                subtree[ancestor] = subtree.get(ancestor, 0) + total
    units.sort(key=lambda u: (-u.supporters, u.unit.name if u.unit else ""))
    path_ids = list(reversed(origin.ancestor_ids)) if origin else [proposal.unit_id]
    return Spread(
        proposal=proposal,
        start=start,
        end=end,
        units=units,
        units_by_id=units_by_id,
        subtree=subtree,
        path=[units_by_id[i] for i in path_ids if i in units_by_id],
        climbs=climbs,
        total=sum(u.supporters for u in units),
    )


def spread_data(spread: Spread) -> dict:
    """The API's shape: GET /api/v1/proposals/{id}/spread/."""
    return {
        "units": [
            {
                "unit": u.unit.pk if u.unit else None,
                "name": u.unit.name if u.unit else "",
                "supporters": u.supporters,
            }
            for u in spread.units
        ],
        "path": [u.pk for u in spread.path],
        "climbs": [
            {"from": c.from_unit_id, "to": c.to_unit_id, "at": c.at.isoformat()}
            for c in spread.climbs
        ],
    }
