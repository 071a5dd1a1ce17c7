"""Real concurrency on PostgreSQL: many members supporting at the same moment, and two
schedulers running at once. Separate threads, separate database connections."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from deliberation.discussions.models import ThreadEvent
from deliberation.members.models import Member, Membership
from proposals import services
from proposals.models import Policy, Proposal, State, StateChange, Support

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks and parallel connections need PostgreSQL",
    ),
]
WORKERS = 24


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


def test_200_simultaneous_supports_count_exactly_and_move_once(tree, member):
    people = _members(tree["branch"], 200, "crowd")
    Policy.objects.create(unit=tree["branch"], admission_quorum="0.5")
    proposal = services.create_proposal(
        actor=member, title="Alla på en gång", unit=tree["branch"], publish=True
    )
    assert proposal.support_needed == 101  # 201 eligible × 0.5
    start = threading.Barrier(WORKERS)

    @_in_thread
    def support(indexed):
        index, person = indexed
        client = APIClient()
        client.force_authenticate(person)
        if index < WORKERS:  # the first wave starts at the same instant
            start.wait(timeout=10)
        resp = client.post(f"/api/v1/proposals/{proposal.pk}/support/")
        return resp.status_code, resp.json()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(support, enumerate(people)))

    statuses = [status for status, _body in results]
    assert statuses == [201] * 200, set(statuses)
    proposal.refresh_from_db()
    assert Support.objects.filter(proposal=proposal).count() == 200
    assert proposal.support_count == 200
    assert proposal.state == State.DISCUSSION
    assert (
        StateChange.objects.filter(proposal=proposal, to_state="discussion").count()
        == 1
    )
    events = list(
        ThreadEvent.objects.filter(thread_id=proposal.thread_id).values_list(
            "type", "data"
        )
    )
    assert sum(t == "proposal.support_changed" for t, _d in events) == 200
    assert [d["state"] for t, d in events if t == "proposal.state_changed"] == [
        "gathering_support",
        "discussion",
    ]
    # Every answer is a consistent snapshot; the counts seen are 1..200, each once.
    assert sorted(body["support_count"] for _s, body in results) == list(range(1, 201))


def test_same_member_double_click_supports_once(tree, member, other_member):
    proposal = services.create_proposal(
        actor=member, title="Dubbelklick är vanligt", unit=tree["branch"], publish=True
    )
    Proposal.objects.filter(pk=proposal.pk).update(support_needed=5)  # stay gathering
    start = threading.Barrier(8)

    @_in_thread
    def click(_):
        client = APIClient()
        client.force_authenticate(other_member)
        start.wait(timeout=5)
        return client.post(f"/api/v1/proposals/{proposal.pk}/support/").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(click, range(8)))
    assert statuses == [201] + [409] * 7
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_two_schedulers_at_once_move_each_proposal_once(tree, member):
    proposals = [
        services.create_proposal(
            actor=member,
            title=f"Förslag {i} på schema",
            unit=tree["branch"],
            publish=True,
        )
        for i in range(60)
    ]
    # Half were in discussion when the machine went down for three weeks.
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[:30]]).update(
        state=State.DISCUSSION
    )
    Proposal.objects.update(phase_ends=timezone.now() - timedelta(days=21))
    start = threading.Barrier(2)

    @_in_thread
    def beat(_):
        start.wait(timeout=5)
        return services.advance_due_proposals()

    with ThreadPoolExecutor(max_workers=2) as pool:
        steps = list(pool.map(beat, range(2)))
    # 30 expired (1 step each) + 30 discussion → frozen → voting (2 steps each).
    assert sum(steps) == 90
    assert Proposal.objects.filter(state=State.EXPIRED).count() == 30
    assert Proposal.objects.filter(state=State.VOTING).count() == 30
    assert StateChange.objects.filter(cause="schedule").count() == 90
