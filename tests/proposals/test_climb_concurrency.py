"""Climbs under real concurrency on PostgreSQL: members of three branches supporting
(and some taking it back) at the same instant, separate threads and connections.
The proposal climbs exactly once, every support counted once at the level it was
at, and the count matches the rows."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connections
from rest_framework.test import APIClient

from deliberation.discussions.models import ThreadEvent
from deliberation.members.models import Member, Membership, UnitKind
from deliberation.members.services import create_unit
from proposals import services
from proposals.models import Climb, Policy, State, StateChange, Support

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks and parallel connections need PostgreSQL",
    ),
]
WORKERS = 16


def _members(unit, n: int, prefix: str) -> list[Member]:
    Member.objects.bulk_create(
        [Member(username=f"{prefix}{i}", password="!") for i in range(n)]
    )
    members = list(Member.objects.filter(username__startswith=prefix).order_by("id"))
    Membership.objects.bulk_create(
        [Membership(member=m, unit=unit, since=date(2024, 1, 1)) for m in members]
    )
    return members


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def _town(tree):
    m = tree["municipality"]
    branch3 = create_unit(
        name="Avdelning C", code=f"{m.code}-c", kind=UnitKind.BRANCH, parent=m
    )
    units = [tree["branch"], tree["branch2"], branch3]
    people = [p for i, u in enumerate(units) for p in _members(u, 20, f"climber{i}-")]
    # 61 members in the municipality, a quarter (16) and 3 branches to climb;
    # the branch itself needs 21 × 0.9 = 19 so it stays gathering until it climbs.
    Policy.objects.create(unit=m, admission_quorum="0.25", climb_units=3)
    create_unit(  # the district has two municipalities: no straight climb on up
        name="Tomma kommunen",
        code=f"{tree['district'].code}-tom",
        kind=UnitKind.MUNICIPALITY,
        parent=tree["district"],
    )
    Policy.objects.create(unit=tree["branch"], admission_quorum="0.9")
    return m, people


def test_simultaneous_supports_climb_exactly_once(tree, member):
    municipality, people = _town(tree)
    proposal = services.create_proposal(
        actor=member, title="Från gräsrötterna", unit=tree["branch"], publish=True
    )
    start = threading.Barrier(WORKERS)

    @_in_thread
    def support(indexed):
        index, person = indexed
        client = APIClient()
        client.force_authenticate(person)
        if index < WORKERS:
            start.wait(timeout=10)
        return client.post(f"/api/v1/proposals/{proposal.pk}/support/").status_code

    # interleave the branches so the spread is reached in the middle of the crowd
    order = [people[i + 20 * k] for i in range(20) for k in range(3)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(support, enumerate(order)))

    assert statuses == [201] * 60, set(statuses)
    proposal.refresh_from_db()
    assert (
        proposal.support_count
        == 60
        == Support.objects.filter(proposal=proposal).count()
    )
    assert proposal.unit_id == municipality.pk
    assert proposal.support_needed == 16
    assert proposal.eligible_count == 61
    climb = Climb.objects.get(proposal=proposal)
    assert climb.support_count == 16  # the support that tipped it, no later one
    assert proposal.state == State.DISCUSSION
    assert (
        StateChange.objects.filter(proposal=proposal, to_state=State.DISCUSSION).count()
        == 1
    )
    assert (
        ThreadEvent.objects.filter(
            thread_id=proposal.thread_id, type="proposal.climbed"
        ).count()
        == 1
    )


def test_supports_and_withdrawals_racing_never_climb_twice_or_miscount(tree, member):
    municipality, people = _town(tree)
    proposal = services.create_proposal(
        actor=member, title="Fram och tillbaka", unit=tree["branch"], publish=True
    )
    # 15 from branches a and b support first (two branches, below the quorum);
    # then at once they take it back while 24 from branches c and a give theirs.
    early = people[0:8] + people[20:27]
    for person in early:
        services.support_proposal(proposal=proposal, member=person)
    assert not Climb.objects.exists()
    start = threading.Barrier(WORKERS)
    late = people[40:60] + people[8:12]
    jobs = [
        job
        for pair in zip(
            [("withdraw", p) for p in early] + [None] * 9,
            [("support", p) for p in late],
            strict=True,
        )
        for job in pair
        if job
    ]

    @_in_thread
    def act(indexed):
        index, (what, person) = indexed
        client = APIClient()
        client.force_authenticate(person)
        if index < WORKERS:
            start.wait(timeout=10)
        url = f"/api/v1/proposals/{proposal.pk}/support/"
        resp = client.delete(url) if what == "withdraw" else client.post(url)
        return resp.status_code

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(act, enumerate(jobs)))

    assert set(statuses) <= {200, 201}, statuses
    proposal.refresh_from_db()
    rows = Support.objects.filter(proposal=proposal).count()
    assert proposal.support_count == rows == 24
    climbs = list(Climb.objects.filter(proposal=proposal))
    assert len(climbs) <= 1
    if climbs:  # it climbed while b's supporters were still there: rightly, once
        assert climbs[0].units == 3
        assert climbs[0].support_count >= 16
        assert proposal.unit_id == municipality.pk
    else:  # b's supporters left first: a and c are two branches, it stays
        assert proposal.unit_id == tree["branch"].pk
        assert proposal.state == State.GATHERING_SUPPORT
