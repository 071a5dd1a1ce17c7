from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.voting.conftest import answers_for, past_close
from voting import services
from voting.models import BulletinBallot, VoterRoll


def _closed_ranked_poll(advisory, member, voters):
    poll = advisory(method="schulze", options=["Röd", "Grön", "Blå"])
    people = [member, *voters(6)]
    VoterRoll.objects.bulk_create([VoterRoll(poll=poll, member=p) for p in people[1:]])
    ids = [o.pk for o in poll.questions.get().options.order_by("position")]
    for n, who in enumerate(people):
        ranking = ids if n % 3 else ids[::-1]
        services.cast_ballot(poll=poll, member=who, payload={"ranking": ranking})
    services.close_poll(poll=past_close(poll))
    return poll


def test_verify_poll_matches_the_published_result(advisory, member, voters, capsys):
    poll = _closed_ranked_poll(advisory, member, voters)
    call_command("verify_poll", poll.pk)
    out = capsys.readouterr().out
    assert "7 ballots" in out
    assert "matches" in out


def test_verify_poll_finds_a_tampered_bulletin(advisory, member, voters):
    poll = _closed_ranked_poll(advisory, member, voters)
    ballot = BulletinBallot.objects.filter(poll=poll).first()
    ids = ballot.answers.split(",")
    BulletinBallot.objects.filter(pk=ballot.pk).update(answers=",".join(ids[::-1]))
    BulletinBallot.objects.exclude(pk=ballot.pk).filter(poll=poll).first().delete()
    with pytest.raises(CommandError, match="NOT match"):
        call_command("verify_poll", poll.pk)


def test_verify_poll_refuses_open_and_unknown_polls(proposal_poll, member):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    with pytest.raises(CommandError, match="not closed"):
        call_command("verify_poll", poll.pk)
    with pytest.raises(CommandError, match="no poll"):
        call_command("verify_poll", 999999)
