"""Delegation in real open polls: given through the services, resolved at the close
over the delegations valid at the closing time, counted with weights, in the result
and the bulletin, recounted by verify_poll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from delegations import services
from delegations.models import Delegation
from proposals.models import Policy
from voting.delegated import resolve_poll
from voting.models import BulletinBallot
from voting.verify import verify_poll

from .conftest import close, vote

pytestmark = pytest.mark.django_db


def give(truster, *trustees, unit):
    return services.give_delegation(
        truster=truster, trustees=[t.pk for t in trustees], unit=unit
    )[0]


def yes_of(result):
    return result.questions[0]["counts"]["yes"]


def test_transitive_chain_counts_three_for_the_last_voter(tree, people, open_poll):
    a, b, c = people("a", "b", "c")
    give(a, b, unit=tree["branch"])
    give(b, c, unit=tree["municipality"])
    poll = open_poll()
    vote(poll, c)
    result = close(poll)
    assert yes_of(result) == 3
    assert result.participations == 1
    assert result.represented == 3
    assert result.questions[0]["weights"] == [
        {"member": c.pk, "weight": 3, "choice": "yes"}
    ]
    assert list(
        BulletinBallot.objects.filter(poll=poll).values_list("voter", "weight")
    ) == [(c.pk, 3)]
    poll.refresh_from_db()
    assert verify_poll(poll).ok


def test_a_direct_vote_in_the_chain_overrides_its_delegation(tree, people, open_poll):
    a, b, c = people("a", "b", "c")
    give(a, b, unit=tree["branch"])
    give(b, c, unit=tree["branch"])
    poll = open_poll()
    vote(poll, c, "no")
    assert resolve_poll(poll, at=timezone.now()).weights == {c.pk: 3}
    vote(poll, b, "yes")  # B votes after all: visible at once
    live = resolve_poll(poll, at=timezone.now())
    assert live.weights == {b.pk: 2, c.pk: 1}
    result = close(poll)
    assert result.questions[0]["counts"] == {"yes": 2, "no": 1, "abstain": 0}


def test_a_cycle_with_nobody_voting_is_not_cast(tree, people, open_poll):
    a, b, d = people("a", "b", "d")
    give(a, b, unit=tree["branch"])
    give(b, a, unit=tree["branch"])
    poll = open_poll()
    vote(poll, d)
    result = close(poll)
    assert result.represented == 1
    assert result.votes_cast == 1
    assert result.turnout == round(1 / poll.eligible_count, 4)


def test_fallback_carries_when_the_first_does_not_vote(tree, people, open_poll):
    a, b, c = people("a", "b", "c")
    give(a, b, c, unit=tree["branch"])
    poll = open_poll()
    vote(poll, c, "no")
    result = close(poll)
    assert result.questions[0]["counts"]["no"] == 2


def test_cap_moves_the_latest_delegation_to_its_fallback(
    tree, people, open_poll, delegating_policy
):
    delegating_policy.delegation_cap = 2
    delegating_policy.save()
    a, b, c, d = people("a", "b", "c", "d")
    give(a, b, unit=tree["branch"])
    give(c, b, d, unit=tree["branch"])  # later: the excess at B, goes on to D
    poll = open_poll()
    assert poll.delegation
    assert poll.delegation_cap == 2
    vote(poll, b, "yes")
    vote(poll, d, "no")
    result = close(poll)
    assert result.questions[0]["counts"] == {"yes": 2, "no": 2, "abstain": 0}


def test_expired_and_revoked_delegations_are_ignored_at_the_close(
    tree, people, open_poll
):
    a, b, c, e = people("a", "b", "c", "e")
    poll = open_poll(hours=2)
    expiring = give(a, b, unit=tree["branch"])
    Delegation.objects.filter(pk=expiring.pk).update(
        expires=poll.closes - timedelta(minutes=1)
    )
    revoked = give(c, b, unit=tree["branch"])
    services.revoke_delegation(truster=c, delegation_id=revoked.pk)
    give(e, b, unit=tree["branch"])
    vote(poll, b)
    result = close(poll)
    assert yes_of(result) == 2  # b and e only


def test_the_close_takes_the_delegations_as_they_were_at_the_closing_time(
    tree, people, open_poll
):
    a, b = people("a", "b")
    poll = open_poll()
    delegation = give(a, b, unit=tree["branch"])
    vote(poll, b)
    # revoked after the closing time, before the count ran: still counted
    Delegation.objects.filter(pk=delegation.pk).update(
        revoked_at=poll.closes + timedelta(milliseconds=500)
    )
    assert yes_of(close(poll)) == 2


def test_secret_polls_and_policies_without_delegation_count_one_each(
    tree, people, open_poll, delegating_policy
):
    a, b = people("a", "b")
    give(a, b, unit=tree["branch"])
    secret = open_poll(ballot="secret")
    assert not secret.delegation
    Policy.objects.filter(pk=delegating_policy.pk).update(delegation_allowed=False)
    plain = open_poll()
    assert not plain.delegation
    for poll in (secret, plain):
        vote(poll, b)
        result = close(poll)
        assert yes_of(result) == 1
        assert result.represented is None
        assert "weights" not in result.questions[0]


def test_trustees_outside_the_roll_are_skipped_for_the_fallback(
    tree, people, open_poll
):
    a, b, c = people("a", "b", "c")
    give(a, b, c, unit=tree["branch"])
    b.is_active = False  # off the roll frozen at opening
    b.save()
    poll = open_poll()
    vote(poll, c)
    assert yes_of(close(poll)) == 2
