from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Policy
from tests.factories import MemberFactory
from voting import services as voting
from voting.models import Poll


@pytest.fixture
def delegating_policy(tree):
    """The municipality (and the branches below it) allow delegation."""
    return Policy.objects.create(
        unit=tree["municipality"], delegation_allowed=True, ballot="open"
    )


@pytest.fixture
def people(tree):
    """Named members of the branch: people("a", "b") → [a, b]."""
    made: dict[str, object] = {}

    def make(*names):
        for n in names:
            if n not in made:
                made[n] = MemberFactory(username=f"p-{n}", units=[tree["branch"]])
        return [made[n] for n in names]

    return make


@pytest.fixture
def open_poll(tree, delegating_policy, people):
    """An open advisory yes/no poll in the branch (its roll is frozen at opening,
    so create the people first)."""

    def make(*, unit=None, hours=2, ballot="open"):
        creator = people("creator")[0]
        return voting.create_advisory_poll(
            actor=creator,
            unit=unit or tree["branch"],
            thread=None,
            question="Ska vi ha möte på tisdag?",
            method="yes_no_abstain",
            options=None,
            ballot=ballot,
            closes=timezone.now() + timedelta(hours=hours),
        )

    return make


def vote(poll: Poll, member, choice="yes"):
    q = poll.questions.get()
    return voting.cast_ballot(
        poll=poll,
        member=member,
        payload={"answers": [{"question": q.pk, "choice": choice}]},
    )


def close(poll: Poll):
    """Close as at the closing time (the delegations valid then count)."""
    return voting.close_poll(poll=poll.pk, now=poll.closes + timedelta(seconds=1))
