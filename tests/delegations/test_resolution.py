"""The resolution rules against hand-computed examples (issue 10), and properties
over random graphs (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from delegations.resolution import resolve

A, B, C, D, E, F = 1, 2, 3, 4, 5, 6


def test_transitive_chain_the_last_voter_carries_all():
    # A → B → C; C votes: C carries 3.
    r = resolve(voters={C}, delegations={A: [B], B: [C]})
    assert r.weights == {C: 3}
    assert r.carrier == {A: C, B: C}
    assert r.path_of(A) == (A, B, C)


def test_transitive_chain_a_direct_vote_in_the_middle_overrides():
    # B votes too: B carries 2 (its own and A's), C 1.
    r = resolve(voters={B, C}, delegations={A: [B], B: [C]})
    assert r.weights == {B: 2, C: 1}
    assert r.carrier == {A: B}


def test_a_cycle_with_nobody_voting_casts_nothing():
    r = resolve(voters=set(), delegations={A: [B], B: [A]})
    assert r.weights == {}
    assert r.carrier == {}
    assert r.uncast == {A, B}
    assert r.total == 0


def test_a_cycle_with_an_exit_delivers_everyone():
    # A → B → C → A, and B's fallback D votes.
    r = resolve(voters={D}, delegations={A: [B], B: [C, D], C: [A]})
    assert r.weights == {D: 4}
    assert r.path_of(C) == (C, A, B, D)


def test_fallback_used_when_the_first_does_not_vote():
    # A → [B, C]; B does not vote, C does: C carries A's vote.
    r = resolve(voters={C}, delegations={A: [B, C]})
    assert r.weights == {C: 2}
    assert r.carrier == {A: C}


def test_first_choice_wins_when_both_vote():
    r = resolve(voters={B, C}, delegations={A: [B, C]})
    assert r.weights == {B: 2, C: 1}


def test_nearer_fallback_beats_a_longer_chain_through_the_first_choice():
    # A → [B, C]; B did not vote but delegates to D who did; C voted: C is nearer.
    r = resolve(voters={C, D}, delegations={A: [B, C], B: [D]})
    assert r.carrier == {A: C, B: D}


def test_trustee_who_delegates_onward_passes_the_vote_on():
    # A → [B]; B → [D]: D carries both (B "does not vote" but is not a dead end).
    r = resolve(voters={D}, delegations={A: [B], B: [D]})
    assert r.weights == {D: 3}


def test_self_delegation_and_repeats_are_ignored():
    r = resolve(voters={B}, delegations={A: [A, B, B]})
    assert r.weights == {B: 2}


def test_cap_latest_delegation_is_the_excess_and_goes_to_its_next_fallback():
    # cap 2: B carries at most its own + one. A delegated first, C later → C moves.
    r = resolve(
        voters={B, D},
        delegations={A: [B], C: [B, D]},
        cap=2,
        priority={A: 1, C: 2},
    )
    assert r.weights == {B: 2, D: 2}
    assert r.carrier == {A: B, C: D}
    assert r.excess == {C}
    assert r.path_of(C) == (C, D)


def test_cap_excess_without_a_next_choice_abstains():
    r = resolve(voters={B}, delegations={A: [B], C: [B]}, cap=2, priority={A: 2, C: 1})
    # C delegated first: C keeps its place, A is the excess and has no fallback.
    assert r.weights == {B: 2}
    assert r.carrier == {C: B}
    assert r.uncast == {A}
    assert r.excess == {A}


def test_cap_counts_transitive_votes_per_truster():
    # A → B → C, C votes, cap 2: the earlier delegation (B's) keeps its place.
    r = resolve(voters={C}, delegations={A: [B], B: [C]}, cap=2, priority={B: 1, A: 2})
    assert r.weights == {C: 2}
    assert r.carrier == {B: C}
    assert r.uncast == {A}


def test_cap_of_one_means_no_delegated_votes():
    r = resolve(voters={B}, delegations={A: [B]}, cap=1)
    assert r.weights == {B: 1}
    assert r.uncast == {A}


def test_cap_excess_skips_full_voters_further_along():
    # cap 2; B and C are full with earlier trusters; E's list [B, C, D]: D carries.
    r = resolve(
        voters={B, C, D},
        delegations={A: [B], F: [C], E: [B, C, D]},
        cap=2,
        priority={A: 1, F: 2, E: 3},
    )
    assert r.carrier == {A: B, F: C, E: D}
    assert r.weights == {B: 2, C: 2, D: 2}


# ------------------------------------------------------------ properties

graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.sets(st.integers(0, n - 1)),
        st.dictionaries(
            st.integers(0, n - 1),
            st.lists(st.integers(0, n - 1), min_size=1, max_size=4),
        ),
        st.one_of(st.none(), st.integers(1, 6)),
    )
)


def _reaches_a_voter(graph, voters, start):
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        for t in graph.get(node, ()):
            if t == node or t in seen:
                continue
            if t in voters:
                return True
            seen.add(t)
            stack.append(t)
    return False


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_total_weight_is_the_votes_that_reach_a_voter(case):
    n, voters, delegations, cap = case
    r = resolve(voters=voters, delegations=delegations, cap=cap)
    reaching = {
        t
        for t in delegations
        if t not in voters and _reaches_a_voter(delegations, voters, t)
    }
    assert set(r.weights) == voters
    if cap is None:
        assert r.total == len(voters) + len(reaching)
        assert set(r.carrier) == reaching
    else:
        assert r.total <= len(voters) + len(reaching)
        assert all(w <= max(cap, 1) for w in r.weights.values())
    assert r.total == len(voters) + len(r.carrier)
    assert not set(r.carrier) & r.uncast
    assert set(r.carrier) | r.uncast == {
        t for t, ts in delegations.items() if t not in voters and set(ts) - {t}
    }


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_every_path_is_a_simple_walk_along_delegations_to_its_carrier(case):
    n, voters, delegations, cap = case
    r = resolve(voters=voters, delegations=delegations, cap=cap)
    for truster, voter in r.carrier.items():
        path = r.path_of(truster)
        assert path[0] == truster
        assert path[-1] == voter
        assert len(set(path)) == len(path)  # nothing loops
        for a, b in zip(path, path[1:], strict=False):
            assert b in delegations[a]
            assert a not in voters


@settings(max_examples=200, deadline=None)
@given(graphs, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(case, rnd: random.Random):
    n, voters, delegations, cap = case
    priority = {t: (t * 7919) % 101 for t in delegations}
    first = resolve(voters=voters, delegations=delegations, cap=cap, priority=priority)
    items = list(delegations.items())
    rnd.shuffle(items)
    shuffled_voters = list(voters)
    rnd.shuffle(shuffled_voters)
    second = resolve(
        voters=shuffled_voters, delegations=dict(items), cap=cap, priority=priority
    )
    assert first.weights == second.weights
    assert first.carrier == second.carrier
    assert first.uncast == second.uncast
