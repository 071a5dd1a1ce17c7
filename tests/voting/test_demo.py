"""The demo polls (voting/demo.py): made through the services, idempotent, and the
closed ones counted for real (results whose ballots equal participations, bulletins)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from deliberation.members.models import Member
from tests.conftest import client_for
from voting.models import (
    BulletinBallot,
    Participation,
    Poll,
    PollKind,
    PollState,
    Question,
    Result,
)


def _snapshot() -> list[tuple]:
    return [
        (
            p.pk,
            p.kind,
            p.title,
            p.ballot,
            p.state,
            p.eligible_count,
            Participation.objects.filter(poll=p).count(),
            BulletinBallot.objects.filter(poll=p).count(),
            list(p.questions.order_by("position").values_list("kind", "text")),
        )
        for p in Poll.objects.order_by("pk")
    ]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (seeding takes a while), twice in a row."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        first = _snapshot()
        call_command("seed_demo", stdout=StringIO())
        second = _snapshot()
    yield first, second
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", stdout=StringIO())


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_polls(seeded):
    first, second = seeded
    assert first == second
    assert len(first) >= 6


@pytest.mark.django_db
def test_closed_demo_polls_have_results_whose_ballots_equal_participations(seeded):
    closed = Poll.objects.filter(state=PollState.CLOSED)
    assert closed.filter(kind=PollKind.PROPOSAL).exists()
    assert closed.filter(kind=PollKind.ADVISORY).exists()
    for poll in closed:
        result = Result.objects.get(poll=poll)
        participations = Participation.objects.filter(poll=poll).count()
        assert result.ballots == result.participations == participations
        assert BulletinBallot.objects.filter(poll=poll).count() == result.ballots
        assert poll.bulletin_published_at is not None
    # Real turnout: tens of ballots in the closed proposal polls.
    assert all(
        Result.objects.get(poll=p).ballots >= 10
        for p in closed.filter(kind=PollKind.PROPOSAL)
    )


@pytest.mark.django_db
def test_the_demo_has_every_kind_of_open_poll(seeded):
    open_ = Poll.objects.filter(state=PollState.OPEN)
    group = open_.get(kind=PollKind.PROPOSAL, ballot="secret")
    questions = Question.objects.filter(poll=group)
    assert questions.filter(clause__isnull=False).count() >= 2
    assert questions.filter(amendment__isnull=False).exists()
    ranked = questions.get(kind="ranked")
    assert ranked.options.filter(proposal__isnull=False).count() == 2
    assert open_.filter(ballot="open").exists()
    assert open_.filter(kind=PollKind.ADVISORY, thread__isnull=False).exists()
    for poll in open_:
        assert Participation.objects.filter(poll=poll).count() >= 10


@pytest.mark.django_db
def test_the_demo_polls_answer_in_the_api(seeded):
    api = client_for(Member.objects.get(username="anna"))
    listed = api.get("/api/v1/polls/").json()
    assert {p["id"] for p in listed["results"]} == set(
        Poll.objects.values_list("pk", flat=True)
    )
    for poll in Poll.objects.all():
        assert api.get(f"/api/v1/polls/{poll.pk}/").status_code == 200
        result = api.get(f"/api/v1/polls/{poll.pk}/result/")
        if poll.state == PollState.CLOSED:
            assert result.status_code == 200
            assert result.json()["ballots"] == Result.objects.get(poll=poll).ballots
            assert api.get(f"/api/v1/polls/{poll.pk}/bulletin/").status_code == 200
        else:
            assert result.status_code == 409
