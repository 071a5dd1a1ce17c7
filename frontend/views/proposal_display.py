"""What the proposal pages show, prepared in Python: list cards, the support chart
(server-rendered SVG) and the phase timeline."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proposals import selectors
from proposals.models import Proposal, State
from voting.models import Poll


def with_cards(proposals) -> list[Proposal]:
    """Prepare what a list card shows in Python (one pass, translated), so rendering
    25 cards stays cheap: the template only prints `p.card`. Topics and authors come
    in two queries for all the cards (`selectors.attach_people`)."""
    proposals = selectors.attach_people(proposals)
    url_pattern = reverse("proposal_detail", args=[0]).replace("/0/", "/{}/")
    states = {value: str(label) for value, label in State.choices}
    by = _("by %(names)s")
    supports = _("%(n)d of %(m)d supports")
    counted = {State.GATHERING_SUPPORT, State.DISCUSSION}
    for p in proposals:
        authors = ", ".join(
            a.member.display_name for a in p.author_refs if a.accepted_at
        )
        parts = [by % {"names": authors}]
        if p.state in counted:
            parts.append(supports % {"n": p.support_count, "m": p.support_needed})
        days = p.days_left
        if days is not None:
            parts.append(
                ngettext("%(days)d day left", "%(days)d days left", days)
                % {"days": days}
            )
        p.card = {
            "url": url_pattern.format(p.pk),
            "state": states.get(p.state, p.state),
            "unit": p.unit.name,
            "topics": [name for _pk, name in p.topic_refs],
            "line": " · ".join(parts),
        }
    return proposals


CHART_W, CHART_H = 320, 96


def support_chart(proposal: Proposal) -> dict | None:
    """Support over time as a server-rendered SVG (works without JavaScript), with the
    same figures as a table for screen readers."""
    if not proposal.published_at or not proposal.support_count:
        return None
    days = selectors.support_by_day(proposal)
    if not days:
        return None
    start = min(timezone.localdate(proposal.published_at), days[0][0])
    end = max(timezone.localdate(), days[-1][0])
    if end == start:  # one day: the figures say it all, a line would not
        return {"rows": _running_totals(days), "line": False}
    span = max(1, (end - start).days)
    top = max(proposal.support_needed, sum(n for _d, n in days), 1)

    def x(day) -> float:
        return round(4 + (CHART_W - 8) * ((day - start).days / span), 1)

    def y(value: int) -> float:
        return round(CHART_H - 4 - (CHART_H - 8) * value / top, 1)

    total, points, rows = 0, [f"{x(start)},{y(0)}"], []
    for day, n in days:
        points.append(f"{x(day)},{y(total)}")
        total += n
        points.append(f"{x(day)},{y(total)}")
        rows.append((day, n, total))
    points.append(f"{x(end)},{y(total)}")
    return {
        "line": True,
        "points": " ".join(points),
        "quorum_y": y(proposal.support_needed),
        "width": CHART_W,
        "height": CHART_H,
        "rows": rows,
        "start": start,
        "end": end,
    }


PHASES = [State.GATHERING_SUPPORT, State.DISCUSSION, State.FROZEN, State.VOTING]


def timeline(proposal: Proposal) -> list[dict]:
    """The phases with when each began (past), ends (current) or would begin on
    schedule (future), from the state history and the proposal's policy."""
    if proposal.state not in PHASES:
        return []
    policy = proposal.policy or selectors.policy_for_unit(proposal.unit)
    began = {sc.to_state: sc.at for sc in proposal.state_changes.all()}
    days = {
        State.DISCUSSION: policy.discussion_days,
        State.FROZEN: policy.freeze_days,
        State.VOTING: policy.voting_days,
    }
    current = PHASES.index(State(proposal.state))
    rows, cursor = [], proposal.phase_ends
    for i, state in enumerate(PHASES):
        row = {"state": state, "label": State(state).label}
        if i < current:
            row.update(status="done", starts=began.get(state))
        elif i == current:
            row.update(
                status="current", starts=began.get(state), ends=proposal.phase_ends
            )
        else:
            row.update(status="planned", starts=cursor)
            if cursor is not None:
                cursor = cursor + timedelta(days=days[state])
        rows.append(row)
    return rows


def _running_totals(days) -> list[tuple]:
    total, rows = 0, []
    for day, n in days:
        total += n
        rows.append((day, n, total))
    return rows


def poll_of(proposal: Proposal) -> Poll | None:
    """The poll a proposal is (or was) voted in, with its stored result; only asked
    once the proposal has reached the vote."""
    if proposal.state not in {State.VOTING, State.ADOPTED, State.REJECTED}:
        return None
    return (
        Poll.objects.filter(proposals=proposal)
        .select_related("result")
        .only("id", "state", "closes", "result")
        .first()
    )
