"""Display helpers of the congress pages: a clause's rows (the members' result, the
roll call, the delegate's own vote and the result of the members they represent)."""

from __future__ import annotations

from congress.models import CongressItem, Delegate, DelegateVote
from congress.selectors import followed_mandate, group_result
from deliberation.members.models import Unit


def _percent(part: int | None, total: int) -> float | None:
    if part is None or not total:
        return None
    return round(100 * part / total, 1)


def clause_rows(
    item: CongressItem,
    votes: list[DelegateVote],
    delegate: Delegate | None,
    mine: dict[int, DelegateVote],
) -> list[dict]:
    rows = []
    for c in item.clauses.all():
        members = [c.member_yes, c.member_no, c.member_abstain]
        total = sum(v or 0 for v in members)
        delegates = {
            v: getattr(c, f"delegate_{v}", 0) for v in ("yes", "no", "abstain")
        }
        group = group_result(item, delegate.unit, c.question) if delegate else None
        rows.append(
            {
                "clause": c,
                "voted": c.member_yes is not None,
                "members": {
                    "yes": c.member_yes,
                    "no": c.member_no,
                    "abstain": c.member_abstain,
                    "yes_pct": _percent(c.member_yes, total),
                    "no_pct": _percent(c.member_no, total),
                },
                "delegates": delegates,
                "roll_call": [v for v in votes if v.clause_id == c.pk],
                "mine": mine.get(c.pk),
                "group": group,
                "followed": followed_mandate(mine[c.pk].vote, group)
                if c.pk in mine
                else None,
            }
        )
    return rows


def unit_choices() -> list[Unit]:
    return list(Unit.objects.only("id", "name", "depth").order_by("path"))
