"""Resolving delegations: who carries whose vote. A pure function over the graph —
the services fetch the delegations valid at a moment and the direct voters, this
decides, and the tally counts each direct voter's ballot with its weight.

The rules (docs/voting.md, "Delegation"):

* Only members who did not vote themselves delegate: a direct vote always overrides
  the member's own delegation (and the voter is a sink: delegations given to them
  stop there).
* Transitive, by breadth: a truster's vote goes to the nearest direct voter reachable
  through the delegation lists (fewest hops); among equally near ones, the path whose
  ranks are lowest, hop by hop (first choice before fallback). So with A → [B, C]
  where B did not vote and C did, C carries A's vote — even if B's own delegation
  would lead on to someone else, C is nearer. This is "breadth-first delegation"
  (Kotsialou & Riley 2020; Brill, Delemazure, George, Lackner & Schmidt-Kraepelin,
  "Liquid Democracy with Ranked Delegations", AAAI 2022): it is defined for every
  graph, needs no order of evaluation, and cycles are harmless — a vote that only
  reaches a cycle of non-voters is not cast.
* Cap: with a cap of N a voter carries at most N votes, their own included. The
  trusters compete in the order their delegations were given, earliest first (a
  renewal keeps its place; a replaced delegation takes a new one): the latest
  delegations are the excess. A truster whose vote finds its carrier full goes to
  the next voter in its own breadth-first order (its next fallback first), and if
  every reachable voter is full the vote is not cast (it abstains from the poll:
  neither counted nor in the turnout).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field


@dataclass
class Resolution:
    """`weights`: direct voter → votes carried (1 + the delegated votes);
    `carrier`: truster → the voter carrying their vote; `uncast`: trusters whose vote
    reaches no voter (nobody, a cycle, or every carrier full); `excess`: trusters
    moved away from their first carrier by the cap (some of them in `uncast`)."""

    weights: dict[int, int]
    carrier: dict[int, int]
    uncast: set[int]
    excess: set[int]
    next_hop: dict[int, int] = field(default_factory=dict, repr=False)
    paths: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def path_of(self, member: int) -> tuple[int, ...]:
        """The chain a truster's vote travels, from the truster to its carrier
        (empty when it is not carried; `(member,)` for a direct voter)."""
        if member in self.weights:
            return (member,)
        if member in self.paths:
            return self.paths[member]
        if member not in self.carrier:
            return ()
        chain = [member]
        while chain[-1] not in self.weights:
            chain.append(self.next_hop[chain[-1]])
        return tuple(chain)

    @property
    def total(self) -> int:
        return sum(self.weights.values())


def _clean(
    delegations: Mapping[int, Sequence[int]], voters: AbstractSet[int]
) -> dict[int, list[int]]:
    """Each non-voter's trustee list without themselves and repeats."""
    out: dict[int, list[int]] = {}
    for truster, trustees in delegations.items():
        if truster in voters:
            continue
        seen: list[int] = []
        for t in trustees:
            if t != truster and t not in seen:
                seen.append(t)
        if seen:
            out[truster] = seen
    return out


def _forest(
    graph: dict[int, list[int]], voters: AbstractSet[int]
) -> tuple[dict[int, int], list[int]]:
    """Breadth-first from all voters at once, backwards along the delegations: each
    reached truster gets the trustee one hop nearer, lowest rank first. Returns the
    next hops and the trusters in order of distance."""
    reverse: dict[int, list[tuple[int, int]]] = {}
    for truster, trustees in graph.items():
        for rank, trustee in enumerate(trustees):
            reverse.setdefault(trustee, []).append((truster, rank))
    next_hop: dict[int, int] = {}
    order: list[int] = []
    # Any order within a layer gives the same result: each truster takes the
    # smallest (rank, trustee) among the trustees one hop nearer. (Trusters are
    # never voters: _clean left those out.)
    frontier: list[int] = [t for t in reverse if t in voters]
    while frontier:
        best: dict[int, tuple[int, int]] = {}
        for trustee in frontier:
            for truster, rank in reverse.get(trustee, ()):
                if truster in next_hop:
                    continue
                found = best.get(truster)
                if found is None or (rank, trustee) < found:
                    best[truster] = (rank, trustee)
        frontier = list(best)
        for truster in frontier:
            next_hop[truster] = best[truster][1]
            order.append(truster)
    return next_hop, order


def reachable_voters(
    graph: Mapping[int, Sequence[int]], voters: AbstractSet[int], start: int
) -> Iterator[tuple[int, ...]]:
    """The paths from `start` to the voters it reaches, in breadth-first order (fewest
    hops, then lowest ranks hop by hop), each voter once. Voters are not passed
    through. Used for the cap's next choices."""
    parent: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for trustee in graph.get(node, ()):
            if trustee in parent:
                continue
            parent[trustee] = node
            if trustee in voters:
                chain = [trustee]
                while parent[chain[-1]] is not None:
                    chain.append(parent[chain[-1]])  # type: ignore[arg-type]
                yield tuple(reversed(chain))
            else:
                queue.append(trustee)


def resolve(
    *,
    voters: Iterable[int],
    delegations: Mapping[int, Sequence[int]],
    cap: int | None = None,
    priority: Mapping[int, Hashable] | None = None,
) -> Resolution:
    """`delegations`: truster → trustees, ranked (the one delegation that applies to
    each member for this question); `priority`: truster → a sortable key, smallest
    first (when the delegation was given); `cap`: the most votes one voter carries,
    their own included (None: no cap)."""
    voter_set: AbstractSet[int] = (
        voters if isinstance(voters, (set, frozenset)) else set(voters)
    )
    graph = _clean(delegations, voter_set)
    next_hop, order = _forest(graph, voter_set)
    carrier: dict[int, int] = {}
    for truster in order:  # by distance: the next hop's carrier is known
        hop = next_hop[truster]
        carrier[truster] = hop if hop in voter_set else carrier[hop]
    uncast = set(graph) - set(carrier)
    weights = dict.fromkeys(voter_set, 1)
    excess: set[int] = set()
    paths: dict[int, tuple[int, ...]] = {}
    if cap is None or (cap >= 2 and len(carrier) < cap):
        for voter in carrier.values():
            weights[voter] += 1
        return Resolution(weights, carrier, uncast, excess, next_hop, paths)
    room = dict.fromkeys(voter_set, max(cap - 1, 0))
    keys = priority or {}
    order_key = lambda t: (t not in keys, keys.get(t), t)  # noqa: E731
    for truster in sorted(carrier, key=order_key):
        first = carrier[truster]
        if room[first] > 0:
            room[first] -= 1
            weights[first] += 1
            continue
        excess.add(truster)
        del carrier[truster]
        for path in reachable_voters(graph, voter_set, truster):
            voter = path[-1]
            if room[voter] > 0:
                room[voter] -= 1
                weights[voter] += 1
                carrier[truster] = voter
                paths[truster] = path
                break
        else:
            uncast.add(truster)
    return Resolution(weights, carrier, uncast, excess, next_hop, paths)
