"""The delegate's dossier of an item and its provenance trail (open data): the
proposal's text and history, the members' vote, the support over time, the strongest
arguments for and against, the bodies' responses, the roll call, the decision and
the follow-up. Only what is public to every member: the poll's per-unit breakdown
as the secrecy floor left it, no secret ballot, no hidden or deleted comment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncDate

from deliberation.discussions import selectors as discussions
from deliberation.members.models import Unit
from deliberation.members.viewer import Viewer
from proposals.models import Amendment, AmendmentState, Revision, StateChange, Support

from .models import CongressItem, DelegateVote, FollowUpUpdate

ARGUMENTS = 5


def support_history(proposal_id: int) -> list[tuple[date, int, int]]:
    """(day, new supports that day, cumulative) from the current supports' dates
    (a support taken back leaves the history)."""
    rows = (
        Support.objects.filter(proposal_id=proposal_id)
        .annotate(day=TruncDate("created"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    total = 0
    out = []
    for row in rows:
        total += row["n"]
        out.append((row["day"], row["n"], total))
    return out


def revisions_of(item: CongressItem) -> list[Revision]:
    return list(
        Revision.objects.filter(proposal=item.proposal)
        .select_related("author")
        .order_by("number")
    )


def amendments_of(item: CongressItem) -> list[Amendment]:
    """Accepted by the authors, or put to the members' vote."""
    return list(
        Amendment.objects.filter(
            proposal=item.proposal,
            state__in=[AmendmentState.ACCEPTED, AmendmentState.TO_VOTE],
        )
        .select_related("author")
        .order_by("created", "id")
    )


def arguments_of(item: CongressItem, viewer: Viewer) -> dict:
    thread = item.proposal.thread
    if thread is None:
        return {"for": [], "against": []}
    return discussions.arguments(thread=thread, viewer=viewer, limit=ARGUMENTS)


def unit_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def roll_call(item: CongressItem) -> list[DelegateVote]:
    return list(
        DelegateVote.objects.filter(clause__item=item)
        .select_related("delegate", "delegate__member", "delegate__unit", "clause")
        .order_by(
            "clause__number", "delegate__unit__path", "delegate__member__username"
        )
    )


def followups_of(item: CongressItem) -> list[FollowUpUpdate]:
    return list(item.followups.select_related("author").order_by("created", "id"))


def provenance(item: CongressItem) -> dict:
    """The whole trail of one item as JSON-ready data, names only where public
    (authors, delegates, role holders, open-poll voters are not listed here)."""
    proposal = item.proposal
    clauses = list(item.clauses.all())
    states = StateChange.objects.filter(proposal=proposal).order_by("at", "id")
    names = unit_names(
        [g.get("unit") for g in item.breakdown or []]
        + [r.unit_id for r in item.responses.all()]
    )
    return {
        "item": item.pk,
        "congress": item.congress_id,
        "proposal": {
            "id": proposal.pk,
            "title": proposal.title,
            "unit": proposal.unit.name,
            "authors": [
                a.member.display_name
                for a in proposal.authorships.select_related("member")
                if a.accepted_at is not None
            ],
            "states": [
                {
                    "from": s.from_state,
                    "to": s.to_state,
                    "at": s.at.isoformat(),
                    "cause": s.cause,
                }
                for s in states
            ],
        },
        "revisions": [
            {
                "number": r.number,
                "title": r.title,
                "clauses": r.clauses,
                "note": r.note,
                "amendment": r.amendment_id,
                "created": r.created.isoformat(),
            }
            for r in revisions_of(item)
        ],
        "amendments": [
            {
                "id": a.pk,
                "state": a.state,
                "clause": a.clause,
                "original": a.original,
                "replacement": a.replacement,
                "support_count": a.support_count,
            }
            for a in amendments_of(item)
        ],
        "support_over_time": [
            {"day": d.isoformat(), "new": n, "total": t}
            for d, n, t in support_history(proposal.pk)
        ],
        "member_vote": {
            "poll": item.poll_id,
            "ballot": item.ballot or None,
            "eligible": item.eligible,
            "participations": item.participations,
            "turnout": item.turnout,
            "delegated_weight": item.delegated_weight,
            "clauses": [
                {
                    "number": c.number,
                    "text": c.text,
                    "yes": c.member_yes,
                    "no": c.member_no,
                    "abstain": c.member_abstain,
                    "outcome": c.member_outcome or None,
                }
                for c in clauses
            ],
            "breakdown": [
                {**g, "unit_name": names.get(g.get("unit"), "")}
                for g in item.breakdown or []
            ],
        },
        "responses": [
            {
                "clause": r.clause.number,
                "unit": names.get(r.unit_id, ""),
                "role": r.role,
                "position": r.position,
                "text": r.text,
                "created": r.created.isoformat(),
            }
            for r in item.responses.all()
        ],
        "answer_requests": [
            {
                "unit": a.unit.name,
                "due": a.due.isoformat(),
                "answered_at": a.answered_at.isoformat() if a.answered_at else None,
                "overdue": a.overdue_at is not None and a.answered_at is None,
            }
            for a in item.answer_requests.all()
        ],
        "delegate_votes": [
            {
                "clause": v.clause.number,
                "delegate": v.delegate.member.display_name,
                "unit": v.delegate.unit.name,
                "vote": v.vote,
                "explanation": v.explanation,
            }
            for v in roll_call(item)
        ],
        "decision": {
            "decision": item.decision or None,
            "note": item.decision_note,
            "at": item.decided_at.isoformat() if item.decided_at else None,
            "clauses": [
                {"number": c.number, "decision": c.decision or None} for c in clauses
            ],
        },
        "follow_up": {
            "status": item.followup_status,
            "updates": [
                {"status": u.status, "text": u.text, "created": u.created.isoformat()}
                for u in followups_of(item)
            ],
        },
    }
