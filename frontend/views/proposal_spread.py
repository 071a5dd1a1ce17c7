"""The spread page of a proposal (docs/flat.md): which units its supporters come
from over time (a server-rendered SVG chart and the same figures as a table) and a
small map of the unit tree with where it is now and its way up. No JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from proposals import selectors
from proposals.spread import BUCKETS, Spread, proposal_spread

CHART_W, CHART_H, TOP_UNITS, TABLE_UNITS = 480, 160, 5, 25
LINE_CLASSES = ["s1", "s2", "s3", "s4", "s5", "s6"]


def _series(spread: Spread) -> list[dict]:
    """Cumulative supporters of the top units (and of all others together)."""
    top = spread.units[:TOP_UNITS]
    rest = spread.units[TOP_UNITS:]
    series: list[dict[str, Any]] = [
        {"name": u.unit.name if u.unit else _("Unknown unit"), "buckets": u.buckets}
        for u in top
    ]
    if rest:
        merged = [sum(u.buckets[i] for u in rest) for i in range(BUCKETS)]
        series.append(
            {
                "name": _("%(n)d other units") % {"n": len(rest)},
                "buckets": merged,
            }
        )
    peak = max([sum(s["buckets"]) for s in series] + [1])

    def x(i: int) -> float:
        return round(4 + (CHART_W - 8) * i / BUCKETS, 1)

    def y(value: int) -> float:
        return round(CHART_H - 4 - (CHART_H - 8) * value / peak, 1)

    for index, s in enumerate(series):
        total, points = 0, [f"{x(0)},{y(0)}"]
        for i, n in enumerate(s["buckets"]):
            total += n
            points.append(f"{x(i + 1)},{y(total)}")
        s.update(
            points=" ".join(points),
            total=total,
            css=LINE_CLASSES[index % len(LINE_CLASSES)],
        )
    return series


def _tree(spread: Spread) -> list[dict]:
    """The map, nested: from the top down, the units with supporters in their
    subtree (and the path), stopping one level below where the proposal is now."""
    proposal = spread.proposal
    here = spread.units_by_id.get(proposal.unit_id)
    on_path = {u.pk for u in spread.path}
    limit = (here.depth if here else 0) + 1
    children: dict[int | None, list] = {}
    for unit in spread.units_by_id.values():
        counted = spread.subtree.get(unit.pk, 0)
        if unit.depth > limit or (not counted and unit.pk not in on_path):
            continue
        children.setdefault(unit.parent_id, []).append(unit)

    def nodes(parent_id: int | None) -> list[dict]:
        kids = sorted(
            children.get(parent_id, []),
            key=lambda u: (-spread.subtree.get(u.pk, 0), u.name),
        )
        return [
            {
                "unit": unit,
                "supporters": spread.subtree.get(unit.pk, 0),
                "here": unit.pk == proposal.unit_id,
                "on_path": unit.pk in on_path,
                "children": nodes(unit.pk),
            }
            for unit in kids
        ]

    return nodes(None)


@login_required
def proposal_spread_page(request, pk: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    spread = proposal_spread(proposal)
    climbs = [
        {
            "from": spread.units_by_id.get(c.from_unit_id),
            "to": spread.units_by_id.get(c.to_unit_id),
            "at": c.at,
            "support_count": c.support_count,
            "units": c.units,
        }
        for c in spread.climbs
    ]
    here = spread.units_by_id.get(proposal.unit_id)
    ahead = [u for u in spread.path if here and u.depth < here.depth]
    return render(
        request,
        "proposals/spread.html",
        {
            "proposal": proposal,
            "spread": spread,
            "series": _series(spread) if spread.total else [],
            "width": CHART_W,
            "height": CHART_H,
            "table": spread.units[:TABLE_UNITS],
            "more_units": max(0, len(spread.units) - TABLE_UNITS),
            "tree": _tree(spread),
            "climbs": climbs,
            "here": here,
            "next_unit": ahead[0] if ahead else None,
        },
    )
