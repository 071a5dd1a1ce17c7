"""The Schulze method with numpy (docs/voting.md, "Ranked questions").

* A ballot ranks some or all options, most preferred first. Ranked options beat
  unranked ones; unranked options are tied with each other.
* `pairwise[a, b]` = the (weighted) number of ballots preferring a to b.
* Strength of a link a→b: `pairwise[a, b]` if it is larger than `pairwise[b, a]`,
  else 0 (winning votes). Widest paths by Floyd–Warshall.
* a ranks above b when `path[a, b] > path[b, a]` (a transitive relation). The order
  is in levels: first the options nobody beats (the Schulze winners), then those
  nobody left beats, and so on.
* Tie-breaking rule (written in docs/voting.md): options of one level are ordered
  with the status quo first ("when in doubt, keep things as they are"),
  then by their position on the ballot (the original proposal before its
  alternatives, in the order they were written). Deterministic and public.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def positions(tokens: Sequence[str], option_ids: Sequence[int]) -> np.ndarray:
    """Ranking tokens ("12,10,11") → an array (ballots × options) of each option's
    place on each ballot (0 = first); unranked options get len(option_ids)."""
    n = len(option_ids)
    count = len(tokens)
    pos = np.full((count, n), n, dtype=np.int16)
    if not count:
        return pos
    flat = np.fromstring(",".join(tokens), dtype=np.int64, sep=",")
    lengths = np.fromiter((t.count(",") + 1 for t in tokens), np.int64, count)
    ballot = np.repeat(np.arange(count), lengths)
    starts = np.cumsum(lengths) - lengths
    place = np.arange(flat.size) - np.repeat(starts, lengths)
    ids = np.asarray(option_ids, dtype=np.int64)
    order = np.argsort(ids)
    column = order[np.searchsorted(ids[order], flat)]
    pos[ballot, column] = place
    return pos


def pairwise(pos: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """d[a, b] = weighted number of ballots that put a before b."""
    n = pos.shape[1]
    d = np.zeros((n, n), dtype=np.int64)
    for a in range(n):
        better = pos[:, a : a + 1] < pos
        d[a] = better.sum(axis=0) if weights is None else weights @ better
    return d


def widest_paths(d: np.ndarray) -> np.ndarray:
    p = np.where(d > d.T, d, 0).astype(np.int64)
    for k in range(p.shape[0]):
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def levels(d: np.ndarray) -> list[list[int]]:
    """Indexes in levels: each level is the options no remaining option beats
    (path[a, b] > path[b, a]) — the first level is the set of Schulze winners."""
    p = widest_paths(d)
    beats = p > p.T
    remaining = list(range(d.shape[0]))
    out = []
    while remaining:
        level = [i for i in remaining if not any(beats[j, i] for j in remaining)]
        out.append(level)
        remaining = [i for i in remaining if i not in level]
    return out


def rank(
    d: np.ndarray, option_ids: Sequence[int], status_quo: int | None = None
) -> list[int]:
    """Option ids, winner first, by Schulze with the tie-breaking rule above."""
    order: list[int] = []
    for level in levels(d):
        level.sort(key=lambda i: (option_ids[i] != status_quo, i))
        order.extend(option_ids[i] for i in level)
    return order


def ties(d: np.ndarray, option_ids: Sequence[int]) -> list[list[int]]:
    """Levels the method itself cannot separate (settled by the tie-breaking rule)."""
    return [[option_ids[i] for i in lv] for lv in levels(d) if len(lv) > 1]


def count_ranked(
    tokens: Sequence[str],
    option_ids: Sequence[int],
    *,
    status_quo: int | None = None,
    weights: np.ndarray | None = None,
) -> dict:
    """→ {"ranking", "pairwise", "ties"} for one ranked question."""
    d = pairwise(positions(tokens, option_ids), weights)
    return {
        "ranking": rank(d, option_ids, status_quo),
        "pairwise": {
            str(a): {str(b): int(d[i, j]) for j, b in enumerate(option_ids) if i != j}
            for i, a in enumerate(option_ids)
        },
        "ties": ties(d, option_ids),
    }
