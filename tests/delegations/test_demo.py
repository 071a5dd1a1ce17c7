"""The demo delegations (delegations/demo.py): idempotent, an open poll in
Göteborg whose policy allows delegation, where delegated votes are carried."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from delegations.demo import POLL_TITLE
from delegations.models import Delegation
from deliberation.members.models import Member
from voting.delegated import my_vote_now, resolve_poll
from voting.models import Poll


def _snapshot() -> list[tuple]:
    return list(
        Delegation.objects.order_by("pk").values_list(
            "pk", "truster_id", "unit_id", "topic_id", "given", "expires", "revoked_at"
        )
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        first = _snapshot()
        call_command("seed_demo", stdout=StringIO())
        second = _snapshot()
    yield first, second
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=StringIO())


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_delegations(seeded):
    first, second = seeded
    assert first == second
    assert len(first) >= 15


@pytest.mark.django_db
def test_the_demo_poll_counts_delegated_votes(seeded):
    poll = Poll.objects.get(title=POLL_TITLE)
    assert poll.delegation
    assert poll.delegation_cap == 8
    resolution = resolve_poll(poll)
    assert resolution.total > len(resolution.weights)  # some carry delegated votes
    assert resolution.uncast  # the cycle (and david, who has not voted)
    david = Member.objects.get(username="david")
    mine = my_vote_now(poll, david)
    assert mine is not None
    assert not mine.voted
