"""The JSON shapes of congresses, delegates and items (README "Congress")."""

from __future__ import annotations

from deliberation.members.viewer import Viewer

from ..models import Congress, CongressItem, Delegate, ItemClause


def congress_payload(c: Congress) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "starts": c.starts.isoformat(),
        "ends": c.ends.isoformat(),
        "window_opens": c.window_opens.isoformat(),
        "items_deadline": c.items_deadline.isoformat(),
        "answer_days": c.answer_days,
        "state": c.state,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "item_count": getattr(c, "item_count", None),
        "delegate_count": getattr(c, "delegate_count", None),
        "url": c.get_absolute_url(),
    }


def member_ref(member) -> dict:
    return {"id": member.pk, "username": member.username, "name": member.display_name}


def delegate_payload(d: Delegate, *, votes: bool = True) -> dict:
    out: dict = {
        "id": d.pk,
        "member": member_ref(d.member),
        "unit": {"id": d.unit_id, "name": d.unit.name},
        "chosen": d.chosen,
    }
    if votes:
        out["votes"] = [
            {
                "item": v.clause.item_id,
                "clause": v.clause_id,
                "clause_number": v.clause.number,
                "vote": v.vote,
                "explanation": v.explanation,
                "created": v.created.isoformat(),
            }
            for v in d.votes.all()
        ]
    return out


def clause_payload(c: ItemClause) -> dict:
    return {
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
            v: getattr(c, f"delegate_{v}", 0) for v in ("yes", "no", "abstain")
        },
        "decision": c.decision or None,
    }


def item_payload(item: CongressItem) -> dict:
    proposal = item.proposal
    requests = list(item.answer_requests.all())
    return {
        "id": item.pk,
        "congress": item.congress_id,
        "proposal": proposal.pk,
        "title": proposal.title,
        "unit": {"id": proposal.unit_id, "name": proposal.unit.name},
        "topics": [t.pk for t in proposal.topics.all()],
        "route": item.route,
        "forwarded_at": item.forwarded_at.isoformat(),
        "clauses": [clause_payload(c) for c in item.clauses.all()],
        "turnout": item.turnout,
        "participations": item.participations,
        "eligible": item.eligible,
        "margin": item.margin,
        "ballot": item.ballot or None,
        "delegated_weight": item.delegated_weight,
        "responses": [
            {
                "id": r.pk,
                "clause": r.clause_id,
                "unit": {"id": r.unit_id, "name": r.unit.name},
                "author": member_ref(r.author),
                "role": r.role,
                "position": r.position,
                "text": r.text,
                "created": r.created.isoformat(),
            }
            for r in item.responses.all()
        ],
        "answers_due": [
            {
                "unit": {"id": a.unit_id, "name": a.unit.name},
                "due": a.due.isoformat(),
                "answered": a.answered_at is not None,
                "overdue": a.overdue_at is not None and a.answered_at is None,
            }
            for a in requests
        ],
        "answer_overdue": bool(getattr(item, "answer_overdue", False)),
        "review_count": getattr(item, "review_count", 0),
        "decision": item.decision or None,
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
        "followup_status": item.followup_status,
        "thread": item.thread_id,
        "url": item.get_absolute_url(),
    }


def dossier_payload(item: CongressItem, viewer: Viewer) -> dict:
    from deliberation.discussions.selectors import comment_url

    from .. import dossier
    from ..selectors import group_result

    out = item_payload(item)
    proposal = item.proposal
    out["body"] = proposal.body
    out["revisions"] = [
        {
            "number": r.number,
            "title": r.title,
            "clauses": r.clauses,
            "note": r.note,
            "amendment": r.amendment_id,
            "created": r.created.isoformat(),
        }
        for r in dossier.revisions_of(item)
    ]
    out["amendments"] = [
        {
            "id": a.pk,
            "state": a.state,
            "clause": a.clause,
            "original": a.original,
            "replacement": a.replacement,
            "support_count": a.support_count,
        }
        for a in dossier.amendments_of(item)
    ]
    out["support_history"] = [
        {"day": d.isoformat(), "new": n, "total": t}
        for d, n, t in dossier.support_history(proposal.pk)
    ]
    names = dossier.unit_names(g.get("unit") for g in item.breakdown or [])
    out["breakdown"] = [
        {**g, "unit_name": names.get(g.get("unit"), "")} for g in item.breakdown or []
    ]
    args = dossier.arguments_of(item, viewer)
    out["arguments"] = {
        side: [
            {
                "id": c.pk,
                "author": member_ref(c.author),
                "body_html": c.shown_html,
                "reactions": c.reaction_total,
                "url": comment_url(c),
            }
            for c in args[side]
        ]
        for side in ("for", "against")
    }
    out["roll_call"] = [
        {
            "clause": v.clause_id,
            "delegate": v.delegate_id,
            "member": member_ref(v.delegate.member),
            "unit": {"id": v.delegate.unit_id, "name": v.delegate.unit.name},
            "vote": v.vote,
            "explanation": v.explanation,
            "unit_member_result": group_result(
                item, v.delegate.unit, v.clause.question
            ),
        }
        for v in dossier.roll_call(item)
    ]
    out["follow_ups"] = [
        {
            "status": u.status,
            "text": u.text,
            "author": member_ref(u.author) if u.author else None,
            "created": u.created.isoformat(),
        }
        for u in dossier.followups_of(item)
    ]
    out["decision_note"] = item.decision_note
    return out
