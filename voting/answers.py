"""Ballot answers: validation of what a voter sends, and the compact encoding stored in
sealed, open and bulletin ballots.

Compact encoding: one token per question in the poll's question order, joined by "|":
`y`, `n` or `a` for a yes/no/abstain question, the ranked option ids joined by ","
(most preferred first) for a ranked question — e.g. `y|a|12,10,11`. Small and fast
to parse at the close (100,000 ballots), and expanded back to the API's form
(`[{"question": id, "choice": "yes"}, {"question": id, "ranking": [...]}]`) on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CHOICES, QuestionKind

CHOICE_TOKEN = {"yes": "y", "no": "n", "abstain": "a"}
TOKEN_CHOICE = {v: k for k, v in CHOICE_TOKEN.items()}


@dataclass(frozen=True)
class QuestionSpec:
    """What validation and counting need to know about a question."""

    id: int
    kind: str
    option_ids: tuple[int, ...] = field(default=())


def specs_of(questions) -> list[QuestionSpec]:
    """Questions (with `options` prefetched) in poll order → specs."""
    return [
        QuestionSpec(
            id=q.pk,
            kind=q.kind,
            option_ids=tuple(o.pk for o in q.options.all()),
        )
        for q in questions
    ]


def _fail(message: str) -> NoReturn:
    raise ValidationError({"answers": [message]})


def normalise(payload: dict, specs: list[QuestionSpec]) -> list[dict]:
    """The request body's answers as a list of `{"question", "choice"|"ranking"}`;
    a single-question poll also takes the short `{"choice"}` or `{"ranking"}`."""
    if not isinstance(payload, dict):
        _fail(_("Send the answers as a JSON object."))
    answers = payload.get("answers")
    if answers is None and ("choice" in payload or "ranking" in payload):
        if len(specs) != 1:
            _fail(
                _(
                    "This poll has %(n)d questions: send one answer per question "
                    "in “answers”."
                )
                % {"n": len(specs)}
            )
        short = {"question": specs[0].id}
        for key in ("choice", "ranking"):
            if key in payload:
                short[key] = payload[key]
        answers = [short]
    if not isinstance(answers, list) or not answers:
        _fail(_("Send a list of answers, one per question."))
    return list(answers)


def encode(answers: list, specs: list[QuestionSpec]) -> str:
    """Check every answer against the poll's questions and return the compact
    encoding. Raises ValidationError naming the problem; nothing is stored before."""
    by_id = {s.id: s for s in specs}
    option_owner = {o: s.id for s in specs for o in s.option_ids}
    tokens: dict[int, str] = {}
    for answer in answers:
        if not isinstance(answer, dict):
            _fail(_("Each answer must be an object with “question”."))
        qid = answer.get("question")
        if isinstance(qid, str) and qid.isascii() and qid.isdigit() and len(qid) < 19:
            qid = int(qid)
        if not isinstance(qid, int) or isinstance(qid, bool) or qid not in by_id:
            _fail(_("Question %(q)s is not in this poll.") % {"q": qid})
        if qid in tokens:
            _fail(_("Question %(q)s is answered twice.") % {"q": qid})
        spec = by_id[qid]
        if spec.kind == QuestionKind.YES_NO_ABSTAIN:
            choice = answer.get("choice")
            if "ranking" in answer:
                _fail(
                    _("Question %(q)s is answered yes, no or abstain, not ranked.")
                    % {"q": qid}
                )
            if choice not in CHOICES:
                _fail(
                    _("The answer to question %(q)s must be yes, no or abstain.")
                    % {"q": qid}
                )
            tokens[qid] = CHOICE_TOKEN[choice]
        else:
            tokens[qid] = _ranking_token(answer, spec, option_owner)
    missing = [s.id for s in specs if s.id not in tokens]
    if missing:
        _fail(
            _("Answer every question; missing: %(q)s.")
            % {"q": ", ".join(str(m) for m in missing)}
        )
    return "|".join(tokens[s.id] for s in specs)


def _ranking_token(answer: dict, spec: QuestionSpec, option_owner: dict) -> str:
    qid = spec.id
    ranking = answer.get("ranking")
    if "choice" in answer and ranking is None:
        _fail(_("Question %(q)s is ranked: send “ranking”.") % {"q": qid})
    if not isinstance(ranking, list) or not ranking:
        _fail(
            _("Rank at least one option of question %(q)s (most preferred first).")
            % {"q": qid}
        )
    ids: list[int] = []
    for item in ranking:
        if (
            isinstance(item, str)
            and item.isascii()
            and item.isdigit()
            and len(item) < 19
        ):
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            _fail(_("A ranking lists option ids (numbers)."))
        if item not in spec.option_ids:
            if item in option_owner:
                _fail(
                    _("Option %(o)s belongs to another question, not %(q)s.")
                    % {"o": item, "q": qid}
                )
            _fail(
                _("Option %(o)s is not an option of question %(q)s.")
                % {"o": item, "q": qid}
            )
        if item in ids:
            _fail(
                _("Option %(o)s is ranked twice in question %(q)s.")
                % {"o": item, "q": qid}
            )
        ids.append(item)
    return ",".join(str(i) for i in ids)


def decode(encoded: str, specs: list[QuestionSpec]) -> list[dict]:
    """Compact encoding → the API's answers (as cast)."""
    out: list[dict] = []
    for spec, token in zip(specs, encoded.split("|"), strict=False):
        if spec.kind == QuestionKind.YES_NO_ABSTAIN:
            out.append({"question": spec.id, "choice": TOKEN_CHOICE.get(token, token)})
        else:
            out.append(
                {
                    "question": spec.id,
                    "ranking": [int(t) for t in token.split(",") if t],
                }
            )
    return out


def max_encoded_length(specs: list[QuestionSpec]) -> int:
    """The longest possible encoding for these questions (every option ranked)."""
    total = max(0, len(specs) - 1)  # separators
    for spec in specs:
        if spec.kind == QuestionKind.YES_NO_ABSTAIN:
            total += 1
        else:
            total += sum(len(str(o)) for o in spec.option_ids)
            total += max(0, len(spec.option_ids) - 1)
    return total
