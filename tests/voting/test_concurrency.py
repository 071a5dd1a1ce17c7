"""Real concurrency on PostgreSQL: separate threads, separate connections."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.voting.conftest import answers_for, past_close
from voting import services
from voting.models import BulletinBallot, Participation, PendingBallot, Result

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks and parallel connections need PostgreSQL",
    ),
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def test_same_member_from_two_devices_at_once_gives_one_participation(
    proposal_poll, member
):
    poll = proposal_poll()
    payload = answers_for(poll)
    clients = [client_for(member) for _ in range(8)]
    start = threading.Barrier(len(clients))

    @_in_thread
    def vote(client: APIClient):
        start.wait()
        return client.post(f"/api/v1/polls/{poll.pk}/ballots/", payload, format="json")

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(vote, clients))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7, codes
    assert Participation.objects.filter(poll=poll, member=member).count() == 1
    assert PendingBallot.objects.filter(poll=poll).count() == 1


def test_casts_racing_the_close_are_either_counted_or_refused(
    proposal_poll, voters, tree
):
    poll = proposal_poll()
    people = voters(30)
    from voting.models import VoterRoll

    VoterRoll.objects.bulk_create([VoterRoll(poll=poll, member=p) for p in people])
    payload = answers_for(poll)
    start = threading.Barrier(len(people) + 1)

    @_in_thread
    def vote(person):
        start.wait()
        try:
            services.cast_ballot(poll=poll.pk, member=person, payload=payload)
            return "ok"
        except Exception as exc:
            return type(exc).__name__

    @_in_thread
    def close():
        start.wait()
        past_close(poll)
        return services.close_poll(poll=poll.pk)

    with ThreadPoolExecutor(len(people) + 1) as pool:
        futures = [pool.submit(vote, p) for p in people]
        closer = pool.submit(close)
        outcomes = [f.result() for f in futures]
        closer.result()
    assert set(outcomes) <= {"ok", "Conflict"}
    services.close_poll(poll=poll.pk)
    result = Result.objects.get(poll=poll)
    accepted = outcomes.count("ok")
    assert result.ballots == result.participations == accepted
    assert BulletinBallot.objects.filter(poll=poll).count() == accepted
    assert not PendingBallot.objects.filter(poll=poll).exists()


def test_two_closes_at_once_store_one_result(proposal_poll, member, other_member):
    poll = proposal_poll()
    for who in (member, other_member):
        services.cast_ballot(poll=poll, member=who, payload=answers_for(poll))
    past_close(poll)
    start = threading.Barrier(4)

    @_in_thread
    def close(_n):
        start.wait()
        return services.close_poll(poll=poll.pk).pk

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(close, range(4)))
    assert len(ids) == 1
    assert Result.objects.count() == 1
    assert BulletinBallot.objects.filter(poll=poll).count() == 2
