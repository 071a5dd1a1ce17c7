from __future__ import annotations

from decimal import Decimal

from voting.answers import QuestionSpec
from voting.tally import PollSpec, TallyInput, adopted, breakdown, count, quorum_needed


def _spec(eligible=100, quorum="0"):
    return PollSpec(
        questions=[QuestionSpec(id=1, kind="yes_no_abstain")],
        majority="simple",
        turnout_quorum=Decimal(quorum),
        eligible=eligible,
        status_quo={},
        proposal_of_question={1: 7},
        amendment_questions=frozenset(),
        proposal_of_option={},
        proposals=(7,),
    )


def test_small_groups_are_pooled_so_subtraction_exposes_none():
    inputs = (
        [TallyInput("y", unit=1)] * 12
        + [TallyInput("n", unit=2)] * 10
        + [TallyInput("n", unit=3)] * 3
    )
    shown = breakdown(_spec(), inputs, threshold=10, secret=True)
    # unit 3 (3 voters) cannot be shown; shown alone, unit 2 would expose it by
    # subtraction (25 − 12 − 10 = 3), so unit 2 joins the pooled rest (13 voters)
    assert [(g["unit"], g["ballots"]) for g in shown] == [(1, 12)]
    assert shown[0]["questions"][0]["counts"] == {"yes": 12, "no": 0, "abstain": 0}
    everyone = breakdown(_spec(), inputs, threshold=10, secret=False)
    assert [g["unit"] for g in everyone] == [1, 2, 3]  # open polls: names are public


def test_weights_count_and_the_quorum_and_majorities():
    inputs = [TallyInput("y", weight=3), TallyInput("n"), TallyInput("a")]
    result = count(_spec(eligible=10, quorum="0.3"), inputs, participations=3)
    assert result["questions"][0]["counts"] == {"yes": 3, "no": 1, "abstain": 1}
    assert result["quorum_needed"] == quorum_needed(10, Decimal("0.3")) == 3
    assert result["outcomes"] == {"7": "adopted"}
    # the quorum counts votes cast: 3 participations carrying 5 votes (delegation)
    assert result["represented"] == 5
    met = count(_spec(eligible=10, quorum="0.5"), inputs, participations=3)
    assert met["quorum_met"] is True
    short = count(_spec(eligible=10, quorum="0.6"), inputs, participations=3)
    assert short["outcomes"] == {"7": "rejected"}
    assert short["quorum_met"] is False
    assert adopted(2, 1, "two_thirds")
    assert not adopted(3, 2, "two_thirds")
    assert not adopted(1, 1, "simple")
