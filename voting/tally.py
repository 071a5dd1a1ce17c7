"""Counting: from the tally input (who voted — or an anonymous ballot — with what
weight, and the compact answers) to the result per question and the proposals'
outcomes. Pure functions: the services fetch and store, the bulletin recount
(`verify_poll`, the recount page) calls the same code.

Rules (docs/voting.md, "From clause results to a proposal's state"):
* quorum: votes cast ≥ ceil(turnout_quorum × eligible), where votes cast are the
  participations, or with delegation the ballots' total weight; without it nothing
  is adopted;
* a yes/no/abstain question is adopted when yes > no (simple majority) or
  yes ≥ ⅔ of yes + no (two-thirds); abstentions count for turnout only; a tie is
  rejected;
* a proposal voted alone is adopted when at least one of its clauses is adopted;
* with alternatives, the ranked question's winner is the one proposal that can be
  adopted (again: when at least one of its clauses is); every other proposal of the
  group is rejected; the status quo winning rejects them all.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from . import schulze
from .answers import TOKEN_CHOICE, QuestionSpec
from .models import Majority, QuestionKind


class TallyInput(NamedTuple):
    """One counted ballot. `voter` is None for a secret ballot; `weight` is 1 until
    delegation (open polls) gives a trustee the weight of those who trust them.
    (A named tuple: 100,000 of them are made at a close.)"""

    answers: str
    weight: int = 1
    voter: int | None = None
    unit: int | None = None


@dataclass(frozen=True)
class PollSpec:
    """What counting needs to know about a poll (built by the services)."""

    questions: list[QuestionSpec]
    majority: str
    turnout_quorum: Decimal
    eligible: int
    status_quo: dict[int, int]  # ranked question id → status quo option id
    proposal_of_question: dict[int, int]  # clause/amendment question → proposal id
    amendment_questions: frozenset[int]
    proposal_of_option: dict[int, int]  # ranked option → proposal id
    proposals: tuple[int, ...]  # the ballot group, the original first


def quorum_needed(eligible: int, turnout_quorum: Decimal) -> int:
    if not turnout_quorum:
        return 0
    return math.ceil(Decimal(eligible) * Decimal(turnout_quorum))


def adopted(yes: int, no: int, majority: str) -> bool:
    if majority == Majority.TWO_THIRDS:
        return yes > 0 and 3 * yes >= 2 * (yes + no)
    return yes > no


def count(spec: PollSpec, inputs: Sequence[TallyInput], participations: int) -> dict:
    """→ {"questions": [...], "outcomes": {proposal: state}, "quorum_needed",
    "quorum_met"} — every figure the Result stores, except the breakdown."""
    needed = quorum_needed(spec.eligible, spec.turnout_quorum)
    split = [i.answers.split("|") for i in inputs]
    weights = np.fromiter((i.weight for i in inputs), np.int64, len(inputs))
    unweighted = bool(weights.size == 0 or (weights == 1).all())
    # votes cast: with delegation the delegated votes count in the turnout too
    represented = max(participations, int(weights.sum()))
    quorum_met = represented >= needed
    questions = []
    for index, q in enumerate(spec.questions):
        column = [row[index] for row in split]
        if q.kind == QuestionKind.YES_NO_ABSTAIN:
            questions.append(_count_choice(q, column, weights, unweighted, spec))
            questions[-1]["outcome"] = (
                "adopted"
                if quorum_met
                and adopted(
                    questions[-1]["counts"]["yes"],
                    questions[-1]["counts"]["no"],
                    spec.majority,
                )
                else "rejected"
            )
        else:
            ranked = schulze.count_ranked(
                column,
                list(q.option_ids),
                status_quo=spec.status_quo.get(q.id),
                weights=None if unweighted else weights,
            )
            questions.append({"question": q.id, "kind": "ranked", **ranked})
    return {
        "questions": questions,
        "outcomes": outcomes(spec, questions, quorum_met),
        "quorum_needed": needed,
        "quorum_met": quorum_met,
        "represented": represented,
    }


def _count_choice(q, column, weights, unweighted, spec) -> dict:
    if unweighted:
        tally = Counter(column)
    else:
        tokens = np.array(column)
        tally = Counter({t: int(weights[tokens == t].sum()) for t in ("y", "n", "a")})
    return {
        "question": q.id,
        "kind": "yes_no_abstain",
        "counts": {TOKEN_CHOICE[t]: int(tally.get(t, 0)) for t in ("y", "n", "a")},
    }


def outcomes(spec: PollSpec, questions: list[dict], quorum_met: bool) -> dict:
    """proposal id (str) → "adopted" | "rejected" for each proposal of the group."""
    if not spec.proposals:
        return {}
    clause_adopted: dict[int, bool] = dict.fromkeys(spec.proposals, False)
    winner = spec.proposals[0] if len(spec.proposals) == 1 else None
    for result in questions:
        qid = result["question"]
        if result["kind"] == "ranked":
            ranking = result["ranking"]
            # None: the status quo won
            winner = spec.proposal_of_option.get(ranking[0]) if ranking else None
        elif qid not in spec.amendment_questions and result["outcome"] == "adopted":
            proposal = spec.proposal_of_question.get(qid)
            if proposal in clause_adopted:
                clause_adopted[proposal] = True
    return {
        str(p): "adopted"
        if quorum_met and p == winner and clause_adopted[p]
        else "rejected"
        for p in spec.proposals
    }


def breakdown(
    spec: PollSpec, inputs: Sequence[TallyInput], *, threshold: int, secret: bool
) -> list[dict]:
    """Per-unit counts of the yes/no/abstain questions, only for groups of at least
    `threshold` voters (secret polls). Groups below it are pooled into the rest, and
    if the rest would be smaller than the threshold (so the total minus the shown
    groups would expose it), the smallest shown groups join it too."""
    groups: dict[int, list[TallyInput]] = {}
    for i in inputs:
        if i.unit is not None:
            groups.setdefault(i.unit, []).append(i)
    if secret:
        shown = sorted(
            (u for u, g in groups.items() if len(g) >= threshold),
            key=lambda u: len(groups[u]),
        )
        rest = len(inputs) - sum(len(groups[u]) for u in shown)
        while shown and 0 < rest < threshold:
            rest += len(groups[shown.pop(0)])
    else:
        shown = list(groups)
    out = []
    choice_questions = [
        (n, q) for n, q in enumerate(spec.questions) if q.kind != QuestionKind.RANKED
    ]
    for unit in sorted(shown):
        rows = [i.answers.split("|") for i in groups[unit]]
        weights = [i.weight for i in groups[unit]]
        per_question = []
        for n, q in choice_questions:
            tally: Counter = Counter()
            for row, w in zip(rows, weights, strict=True):
                tally[row[n]] += w
            per_question.append(
                {
                    "question": q.id,
                    "counts": {
                        TOKEN_CHOICE[t]: int(tally.get(t, 0)) for t in ("y", "n", "a")
                    },
                }
            )
        out.append({"unit": unit, "ballots": len(rows), "questions": per_question})
    return out
