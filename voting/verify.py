"""Recounting a closed poll from its public bulletin (`verify_poll`, and the same
rules the recount page runs in the browser): the bulletin alone, counted with the
published rules, must give the stored result."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import BulletinBallot, Poll, PollState, Result
from .selectors import poll_spec
from .tally import TallyInput, count


@dataclass
class Verification:
    poll: int
    ballots: int
    participations: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _comparable(questions: list[dict]) -> list[dict]:
    """What must match: counts and outcomes, rankings and pairwise counts."""
    keep = ("question", "kind", "counts", "outcome", "ranking", "pairwise")
    return [{k: q[k] for k in keep if k in q} for q in questions]


def verify_poll(poll: Poll) -> Verification:
    if poll.state != PollState.CLOSED or poll.bulletin_published_at is None:
        raise ValueError("open")
    result = Result.objects.get(poll=poll)
    rows = BulletinBallot.objects.filter(poll=poll).values_list("answers", "weight")
    inputs = [TallyInput(answers=a, weight=w) for a, w in rows.iterator(5000)]
    recount = count(poll_spec(poll), inputs, result.participations)
    check = Verification(
        poll=poll.pk, ballots=len(inputs), participations=result.participations
    )
    if len(inputs) != result.ballots:
        check.problems.append(
            f"bulletin has {len(inputs)} ballots, the result says {result.ballots}"
        )
    if result.ballots != result.participations:
        check.problems.append(
            f"{result.ballots} ballots but {result.participations} participations"
        )
    if _comparable(recount["questions"]) != _comparable(result.questions):
        check.problems.append("the recount of the questions differs from the result")
    if recount["outcomes"] != result.outcomes:
        check.problems.append("the proposals' outcomes differ from the result")
    if recount["quorum_met"] != result.quorum_met:
        check.problems.append("the quorum differs from the result")
    return check
