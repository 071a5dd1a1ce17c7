"""Schulze against published examples and, with hypothesis, against an independent
implementation (the schulze-condorcet package, used only here)."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from schulze_condorcet import schulze_evaluate

from voting import schulze


def _tokens(groups, names):
    ids = {c: n + 1 for n, c in enumerate(names)}
    return [
        ",".join(str(ids[c]) for c in order)
        for count, order in groups
        for _ in range(count)
    ]


def _ranking(groups, names, status_quo=None):
    result = schulze.count_ranked(
        _tokens(groups, names), list(range(1, len(names) + 1)), status_quo=status_quo
    )
    return "".join(names[i - 1] for i in result["ranking"]), result


def test_wikipedia_45_voters():
    # https://en.wikipedia.org/wiki/Schulze_method#Example — E > A > C > B > D
    groups = [
        (5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
        (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC"),
    ]  # fmt: skip
    order, result = _ranking(groups, "ABCDE")
    assert order == "EACBD"
    assert result["pairwise"]["1"]["2"] == 20  # d[A, B] as in the article
    assert result["pairwise"]["5"]["4"] == 31  # d[E, D]
    assert result["ties"] == []


def test_schulze_paper_example_2_30_voters():
    # Schulze (2011), section 3.2: the winner is D.
    groups = [
        (5, "ACBD"), (2, "ACDB"), (3, "ADCB"), (4, "BACD"), (3, "CBDA"),
        (3, "CDBA"), (1, "DACB"), (5, "DBAC"), (4, "DCBA"),
    ]  # fmt: skip
    order, _ = _ranking(groups, "ABCD")
    assert order[0] == "D"
    assert order == "DACB"


def test_schulze_paper_example_3_30_voters():
    # Schulze (2011), section 3.3: B > A > D > E > C.
    groups = [
        (3, "ABDEC"), (5, "ADEBC"), (1, "ADECB"), (2, "BADEC"), (2, "BDECA"),
        (4, "CABDE"), (6, "CBADE"), (2, "DBECA"), (5, "DECAB"),
    ]  # fmt: skip
    order, _ = _ranking(groups, "ABCDE")
    assert order == "BADEC"


def test_schulze_paper_example_4_tie_broken_by_the_written_rule():
    # Schulze (2011), section 3.4: 9 voters, B and D are both winners.
    groups = [(3, "ABCD"), (2, "DABC"), (2, "DBCA"), (2, "CBDA")]
    order, result = _ranking(groups, "ABCD")
    assert [sorted(t) for t in result["ties"]][0] == [2, 4]  # B and D
    assert order[:2] == "BD"  # ballot position decides: B is listed before D
    order, _ = _ranking(groups, "ABCD", status_quo=4)
    assert order[0] == "D"  # the status quo wins a tie


def test_a_clear_status_quo_win():
    order, _ = _ranking([(3, "SA"), (1, "AS")], "AS", status_quo=2)
    assert order == "SA"


def test_unranked_options_lose_to_ranked_ones_and_tie_with_each_other():
    d = schulze.pairwise(schulze.positions(["2", "2", "3,1"], [1, 2, 3]))
    assert d[1, 0] == 2
    assert d[0, 1] == 1
    assert d[0, 2] == 0
    assert d[2, 0] == 1


def test_weights_count_like_repeated_ballots():
    tokens = ["1,2", "2,1"]
    d = schulze.pairwise(schulze.positions(tokens, [1, 2]), np.array([3, 1]))
    assert d[0, 1] == 3
    assert d[1, 0] == 1


def test_100000_ballots_10_options_count_fast():
    rng = np.random.default_rng(1)
    ids = list(range(10, 20))
    tokens = [",".join(map(str, rng.permutation(ids))) for _ in range(100_000)]
    start = time.perf_counter()
    d = schulze.pairwise(schulze.positions(tokens, ids))
    schulze.rank(d, ids)
    elapsed = time.perf_counter() - start
    assert d[0].sum() + d[:, 0].sum() == 9 * 100_000
    assert elapsed < 2.0  # ~0.1–0.3 s here on a loaded 2-core machine


def _winning_votes(*, support: int, opposition: int, totalvotes: int) -> int:
    """Plain winning votes, as in voting/schulze.py (the package's default adds the
    opposition as a secondary criterion, a variant that can pick other winners)."""
    return support if support > opposition else 0


def _vote_string(ranking: list[str], candidates: list[str]) -> str:
    rest = [c for c in candidates if c not in ranking]
    return ">".join(ranking + (["=".join(rest)] if rest else []))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2, max_value=6).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.permutations(list(range(n))).flatmap(
                    lambda perm: st.integers(min_value=1, max_value=len(perm)).map(
                        lambda k: perm[:k]
                    )
                ),
                min_size=1,
                max_size=40,
            ),
        )
    )
)
def test_winners_match_an_independent_implementation(case):
    n, ballots = case
    names = [chr(ord("a") + i) for i in range(n)]
    ids = list(range(100, 100 + n))
    tokens = [",".join(str(ids[i]) for i in b) for b in ballots]
    d = schulze.pairwise(schulze.positions(tokens, ids))
    ours = {names[i] for i in schulze.levels(d)[0]}
    votes = [_vote_string([names[i] for i in b], names) for b in ballots]
    theirs = schulze_evaluate(votes, names, strength=_winning_votes).split(">")[0]
    theirs = theirs.split("=")
    assert ours == set(theirs)
    winner = schulze.rank(d, ids, status_quo=ids[-1])[0]
    assert names[ids.index(winner)] in theirs
    if names[-1] in theirs:
        assert winner == ids[-1]  # a tie with the status quo keeps things as they are
