"""Reads for delegations: a member's own, the one delegation that applies to each
member for a question (scope rules), and the public graph of a unit or topic."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from deliberation.members.models import Member, Membership, Unit
from proposals.models import Policy, Topic
from proposals.selectors import default_policy, policy_for_unit

from .models import Delegation, DelegationTrustee
from .resolution import Resolution, resolve


def _trustees_prefetch() -> Prefetch:
    return Prefetch(
        "trustees",
        queryset=DelegationTrustee.objects.select_related("trustee").order_by("rank"),
    )


def own_delegations(*, member: Member) -> QuerySet[Delegation]:
    """The member's delegations in force (not revoked, not expired), units first."""
    return (
        Delegation.objects.active()
        .filter(truster=member)
        .select_related("unit", "topic")
        .prefetch_related(_trustees_prefetch())
        .order_by("topic_id", "unit__path", "id")
    )


def policy_for_scope(*, unit: Unit | None) -> Policy:
    """Whose rules a delegation follows: the unit's policy, or for a topic (which is
    not tied to a unit) the default policy."""
    return policy_for_unit(unit) if unit is not None else default_policy()


@dataclass(frozen=True)
class Applicable:
    """For one question: truster → ranked trustees, and truster → the place of the
    winning delegation in the order of giving (its place under a cap)."""

    lists: dict[int, list[int]]
    given: dict[int, int]
    delegation_of: dict[int, int]


def applicable(
    *,
    unit: Unit | None,
    topics: Collection[int] = (),
    at: datetime | None = None,
    members: Collection[int] | None = None,
) -> Applicable:
    """The delegation that applies to each member for a question in `unit` on
    `topics`, valid at `at`: a delegation for one of the topics wins over a unit
    delegation (among several topics, the one given last); among unit delegations,
    the one for the most specific unit (the question's unit, then its parent, …).
    With `members` (the voter roll), trusters and trustees outside it are left out."""
    at = at or timezone.now()
    ancestors = unit.ancestor_ids if unit is not None else []
    depth = {u: n for n, u in enumerate(ancestors)}
    qs = Delegation.objects.valid_at(at)
    scope = None
    if ancestors:
        scope = qs.filter(unit_id__in=ancestors)
    if topics:
        by_topic = qs.filter(topic_id__in=list(topics))
        scope = by_topic if scope is None else scope | by_topic
    if scope is None:
        return Applicable({}, {}, {})
    # Two queries of plain integers (no timestamps to parse: the order of giving is
    # the row's position in the first), and the trustees by a join on the same
    # scope, not an IN list of thousands of ids.
    rows = list(
        scope.order_by("given", "id").values_list(
            "id", "truster_id", "unit_id", "topic_id"
        )
    )
    best: dict[int, tuple[tuple, int, int]] = {}
    for order, (pk, truster, unit_id, topic_id) in enumerate(rows):
        if members is not None and truster not in members:
            continue
        # larger wins: topics over units; latest topic; deepest unit
        key = (1, order) if topic_id else (0, depth.get(unit_id, -1), pk)
        if truster not in best or key > best[truster][0]:
            best[truster] = (key, pk, order)
    chosen = {pk: truster for truster, (_k, pk, _o) in best.items()}
    lists: dict[int, list[int]] = {}
    entries = (
        DelegationTrustee.objects.filter(delegation__in=scope.values("pk"))
        .order_by("delegation_id", "rank")
        .values_list("delegation_id", "trustee_id")
    )
    for delegation_id, trustee in list(entries):
        truster = chosen.get(delegation_id)
        if truster is None or (members is not None and trustee not in members):
            continue
        lists.setdefault(truster, []).append(trustee)
    return Applicable(
        lists=lists,
        given={t: order for t, (_k, _pk, order) in best.items() if t in lists},
        delegation_of={t: pk for t, (_k, pk, _o) in best.items() if t in lists},
    )


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True)
class Graph:
    nodes: list[dict]
    edges: list[dict]
    resolution: Resolution
    members: dict[int, Member]


def delegation_graph(*, unit: Unit | None, topic: Topic | None) -> Graph:
    """The delegations in force for a question in `unit` (and/or on `topic`): every
    truster and trustee as a node with the votes they would carry if every member
    who delegates nothing here voted and nobody who delegates did, and every ranked
    edge. For a unit, only its members (and the units' below) take part."""
    members: set[int] | None = None
    if unit is not None:
        members = set(
            Membership.objects.current()
            .filter(unit__path__startswith=unit.path, member__is_active=True)
            .values_list("member_id", flat=True)
        )
    found = applicable(unit=unit, topics=[topic.pk] if topic else [], members=members)
    involved = set(found.lists)
    for trustees in found.lists.values():
        involved.update(trustees)
    voters = involved - set(found.lists)
    policy = policy_for_scope(unit=unit)
    cap = policy.delegation_cap if unit is not None else None
    resolution = resolve(
        voters=voters, delegations=found.lists, cap=cap, priority=found.given
    )
    people: dict[int, Member] = {}
    for part in _chunks(sorted(involved)):
        people.update(Member.objects.in_bulk(part))
    nodes = [
        {"member": m, "weight": resolution.weights.get(m, 0)}
        for m in sorted(involved, key=lambda m: (-resolution.weights.get(m, 0), m))
    ]
    edges = [
        {"from": truster, "to": trustee, "rank": rank}
        for truster in sorted(found.lists)
        for rank, trustee in enumerate(found.lists[truster])
    ]
    return Graph(nodes=nodes, edges=edges, resolution=resolution, members=people)
