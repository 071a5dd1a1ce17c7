"""Display helpers for poll pages: questions with their options, the ballot form's
fields, and the result as bars and a pairwise table (server-rendered SVG that reads
without JavaScript, with the figures in a table beside)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from voting.api.serializers import question_text, status_quo_text
from voting.models import Poll, QuestionKind

BAR_W = 300  # the SVG's drawing width for a full bar

CHOICE_LABELS = {
    "yes": lambda: _("Yes"),
    "no": lambda: _("No"),
    "abstain": lambda: _("Abstain"),
}


def option_text(option) -> str:
    return status_quo_text() if option.is_status_quo else option.text


def questions_for_display(poll: Poll) -> list[dict]:
    """The poll's questions in ballot order, each with its options (ranked)."""
    out = []
    for q in poll.questions.all():
        options = [
            {"id": o.pk, "text": option_text(o), "status_quo": o.is_status_quo}
            for o in q.options.all()
        ]
        out.append(
            {
                "id": q.pk,
                "text": question_text(q),
                "kind": q.kind,
                "ranked": q.kind == QuestionKind.RANKED,
                "options": options,
                "ranks": list(range(1, len(options) + 1)),
                "clause": q.clause,
                "amendment": q.amendment_id,
            }
        )
    return out


def ballot_payload(post, questions: list[dict]) -> dict:
    """The ballot form's fields → the API's ballot body, so the page and the API
    validate the same way (voting.answers). A yes/no question's field is `q<id>`;
    a ranked question has one rank field `q<id>_<option>` per option (1 = most
    preferred; options left blank are not ranked)."""
    answers: list[dict] = []
    for q in questions:
        if not q["ranked"]:
            choice = post.get(f"q{q['id']}")
            if choice:  # left blank: the service names the missing question
                answers.append({"question": q["id"], "choice": choice})
            continue
        ranked = []
        for option in q["options"]:
            raw = (post.get(f"q{q['id']}_{option['id']}") or "").strip()
            if raw.isascii() and raw.isdigit() and 0 < len(raw) < 4:
                ranked.append((int(raw), option["id"]))
        ranks = [r for r, _o in ranked]
        if len(set(ranks)) != len(ranks):
            answers.append({"question": q["id"], "ranking": "duplicate"})
            continue
        answers.append(
            {"question": q["id"], "ranking": [o for _r, o in sorted(ranked)]}
        )
    return {"answers": answers}


def _bars(counts: dict) -> list[dict]:
    total = sum(counts.values()) or 1
    y = 0
    bars = []
    for key in ("yes", "no", "abstain"):
        n = int(counts.get(key, 0))
        bars.append(
            {
                "key": key,
                "label": CHOICE_LABELS[key](),
                "count": n,
                "percent": round(100 * n / total, 1),
                "width": round(BAR_W * n / total, 1),
                "y": y,
                "text_y": y + 15,
            }
        )
        y += 26
    return bars


CARRIERS_SHOWN = 50


def _carrier_names(questions: list[dict]) -> dict[int, str]:
    """Names of the members who carried delegated votes (one query)."""
    from deliberation.members.models import Member

    ids = {
        w["member"] for r in questions for w in r.get("weights", [])[:CARRIERS_SHOWN]
    }
    if not ids:
        return {}
    return {m.pk: m.display_name for m in Member.objects.filter(pk__in=ids)}


def result_for_display(poll: Poll, questions: list[dict]) -> dict | None:
    """The stored result shaped for the page, or None before the count."""
    result = getattr(poll, "result", None)
    if result is None:
        return None
    by_id = {q["id"]: q for q in questions}
    names = _carrier_names(result.questions)
    shown = []
    for r in result.questions:
        q = by_id.get(r["question"])
        if q is None:
            continue
        if r["kind"] == "yes_no_abstain":
            shown.append(
                {
                    "question": q,
                    "ranked": False,
                    "bars": _bars(r["counts"]),
                    "outcome": r.get("outcome"),
                    "carriers": [
                        {
                            "name": names.get(w["member"], str(w["member"])),
                            "weight": w["weight"],
                            "choice": CHOICE_LABELS[w["choice"]]()
                            if w.get("choice") in CHOICE_LABELS
                            else "",
                        }
                        for w in r.get("weights", [])[:CARRIERS_SHOWN]
                    ],
                    "more_carriers": max(0, len(r.get("weights", [])) - CARRIERS_SHOWN),
                }
            )
            continue
        names = {o["id"]: o["text"] for o in q["options"]}
        order = [int(o) for o in r["ranking"]]
        pairwise = r.get("pairwise", {})
        matrix = [
            {
                "option": names.get(a, str(a)),
                "cells": [
                    None if a == b else pairwise.get(str(a), {}).get(str(b), 0)
                    for b in order
                ],
            }
            for a in order
        ]
        shown.append(
            {
                "question": q,
                "ranked": True,
                "ranking": [names.get(o, str(o)) for o in order],
                "header": [names.get(o, str(o)) for o in order],
                "matrix": matrix,
            }
        )
    eligible = result.eligible or 0
    turnout_w = round(BAR_W * result.votes_cast / eligible, 1) if eligible else 0
    quorum_x = (
        round(BAR_W * result.quorum_needed / eligible, 1)
        if eligible and result.quorum_needed
        else None
    )
    return {
        "result": result,
        "questions": shown,
        "turnout_percent": round(100 * result.turnout, 1),
        "turnout_w": turnout_w,
        "quorum_x": quorum_x,
        "bar_w": BAR_W,
    }
