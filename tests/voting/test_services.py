from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deliberation.discussions.models import ThreadEvent
from deliberation.errors import Conflict, NotAllowed, ServiceError
from proposals import services as proposal_services
from proposals.models import Amendment, AmendmentState
from tests.voting.conftest import answers_for, past_close, to_vote
from voting import sealing, services
from voting.models import (
    BulletinBallot,
    Participation,
    PendingBallot,
    Poll,
    PollState,
    Result,
    VoterRoll,
)


def test_a_proposal_entering_the_vote_opens_one_poll_with_its_clauses(
    proposal_poll, tree, outsider
):
    poll = proposal_poll()
    assert poll.kind == "proposal"
    assert poll.state == "open"
    assert poll.is_secret
    questions = list(poll.questions.order_by("position"))
    assert [q.text for q in questions] == [
        "att vi bygger cykelbanor",
        "att vi planterar träd",
    ]
    assert [q.clause for q in questions] == [1, 2]
    # the roll: the branch's members (author, supporter), frozen now; not the outsider
    assert poll.eligible_count == VoterRoll.objects.filter(poll=poll).count() == 2
    assert not VoterRoll.objects.filter(poll=poll, member=outsider).exists()
    proposal = poll.proposals.get()
    assert poll.closes == proposal.phase_ends
    assert poll.seal_salt
    assert poll.sealed_size % 16 == 0


def test_alternatives_share_one_ranked_poll_with_the_status_quo(
    tree, member, other_member
):
    original = proposal_services.create_proposal(
        actor=member, title="Gratis kollektivtrafik", unit=tree["branch"], publish=True
    )
    proposal_services.support_proposal(proposal=original, member=other_member)
    original.refresh_from_db()
    alternative = proposal_services.create_proposal(
        actor=other_member,
        title="Halva priset i kollektivtrafiken",
        unit=tree["branch"],
        publish=True,
        alternative_to=original,
    )
    to_vote(original, supporter=other_member)
    alternative.refresh_from_db()
    assert alternative.state == "voting"
    poll = Poll.objects.get()
    assert set(poll.proposals.all()) == {original, alternative}
    ranked = poll.questions.get(kind="ranked")
    options = list(ranked.options.order_by("position"))
    assert [o.proposal_id for o in options] == [original.pk, alternative.pk, None]
    assert options[-1].is_status_quo


def test_amendments_to_vote_are_questions(tree, member, other_member):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Vi vill bygga fler cykelbanor.",
        unit=tree["branch"],
        publish=True,
    )
    amendment = Amendment.objects.create(
        proposal=proposal,
        author=other_member,
        original="fler",
        replacement="många fler",
        revision=1,
        support_needed=0,  # enough support: it goes to the vote at the freeze
    )
    to_vote(proposal, supporter=other_member)
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.TO_VOTE
    poll = Poll.objects.get()
    questions = list(poll.questions.order_by("position"))
    assert [q.amendment_id for q in questions] == [None, amendment.pk]
    assert questions[1].text == "många fler"


def test_cast_secret_ballot_stores_participation_and_a_sealed_ballot_apart(
    proposal_poll, member
):
    poll = proposal_poll()
    result = services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    assert len(result.receipt) == 32
    assert not result.replaced
    assert Participation.objects.filter(poll=poll, member=member).count() == 1
    pending = PendingBallot.objects.get(poll=poll)
    assert pending.lookup == sealing.replacement_lookup(poll.pk, result.receipt)
    assert pending.lookup != sealing.receipt_hash(result.receipt)
    raw = bytes(pending.sealed)
    assert b"yes" not in raw
    assert sealing.receipt_hash(result.receipt).encode() not in raw
    assert len(raw) == 12 + poll.sealed_size + 16  # nonce + padded text + tag


def test_sealed_ballots_have_the_same_size_whatever_the_answers(
    proposal_poll, member, other_member
):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll, "yes"))
    services.cast_ballot(
        poll=poll, member=other_member, payload=answers_for(poll, "abstain")
    )
    sizes = {len(bytes(p.sealed)) for p in PendingBallot.objects.filter(poll=poll)}
    assert len(sizes) == 1


def test_voting_twice_without_receipt_is_refused(proposal_poll, member):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    with pytest.raises(Conflict) as exc:
        services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    assert exc.value.code == "already_voted"
    assert PendingBallot.objects.filter(poll=poll).count() == 1


def test_the_receipt_replaces_the_ballot_until_the_close(
    proposal_poll, member, other_member
):
    poll = proposal_poll()
    first = services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    services.cast_ballot(poll=poll, member=other_member, payload=answers_for(poll))
    again = services.cast_ballot(
        poll=poll,
        member=member,
        payload=answers_for(poll, "no"),
        receipt=first.receipt.upper(),
    )
    assert again.replaced
    assert again.receipt == first.receipt
    assert PendingBallot.objects.filter(poll=poll).count() == 2
    result = services.close_poll(poll=past_close(poll))
    counts = [q["counts"] for q in result.questions]
    assert counts == [{"yes": 1, "no": 1, "abstain": 0}] * 2
    mine = BulletinBallot.objects.get(
        poll=poll, receipt_hash=sealing.receipt_hash(first.receipt)
    )
    assert mine.answers == "n|n"


def test_a_wrong_receipt_is_refused_and_changes_nothing(
    proposal_poll, member, other_member
):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    before = bytes(PendingBallot.objects.get(poll=poll).sealed)
    with pytest.raises(ServiceError) as exc:
        services.cast_ballot(
            poll=poll, member=member, payload=answers_for(poll, "no"), receipt="x" * 32
        )
    assert exc.value.code == "wrong_receipt"
    assert bytes(PendingBallot.objects.get(poll=poll).sealed) == before
    with pytest.raises(Conflict):  # someone who has not voted cannot use a receipt
        services.cast_ballot(
            poll=poll, member=other_member, payload=answers_for(poll), receipt="x"
        )


def test_only_the_frozen_roll_votes(proposal_poll, tree, outsider, voters):
    poll = proposal_poll()
    late = voters(1)[0]  # joined after the poll opened
    for who in (outsider, late):
        with pytest.raises(NotAllowed):
            services.cast_ballot(poll=poll, member=who, payload=answers_for(poll))
    assert not Participation.objects.filter(poll=poll).exists()


def test_minimum_membership_length_is_applied_at_the_freeze(settings, tree, voters):
    from deliberation.members.models import Membership

    settings.POLL_MIN_MEMBERSHIP_DAYS = 30
    old, new = voters(2)
    Membership.objects.filter(member=old).update(
        since=timezone.localdate() - timedelta(days=40)
    )
    poll = services.create_advisory_poll(
        actor=old,
        unit=tree["branch"],
        thread=None,
        question="Ska vi ha möte?",
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(hours=2),
    )
    assert list(
        VoterRoll.objects.filter(poll=poll).values_list("member", flat=True)
    ) == [old.pk]
    assert new.pk


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"answers": []}, "list of answers"),
        ({"answers": [{"question": 999999, "choice": "yes"}]}, "not in this poll"),
        ({"choice": "yes"}, "2 questions"),
        ({"answers": "yes"}, "list of answers"),
    ],
)
def test_malformed_answers_are_refused_naming_the_problem(
    proposal_poll, member, payload, message
):
    poll = proposal_poll()
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(poll=poll, member=member, payload=payload)
    assert message in str(exc.value.message_dict["answers"])
    assert not Participation.objects.exists()


def test_missing_and_bad_choices_are_refused(proposal_poll, member):
    poll = proposal_poll()
    first, second = poll.questions.order_by("position")
    with pytest.raises(ValidationError, match="missing"):
        services.cast_ballot(
            poll=poll,
            member=member,
            payload={"answers": [{"question": first.pk, "choice": "yes"}]},
        )
    with pytest.raises(ValidationError, match="yes, no or abstain"):
        services.cast_ballot(
            poll=poll,
            member=member,
            payload={
                "answers": [
                    {"question": first.pk, "choice": "kanske"},
                    {"question": second.pk, "choice": "yes"},
                ]
            },
        )


def test_malformed_rankings_are_refused(advisory, member):
    poll = advisory(method="schulze", options=["Tisdag", "Onsdag", "Torsdag"])
    other = advisory(method="schulze", options=["Röd", "Grön"])
    q = poll.questions.get()
    ids = [o.pk for o in q.options.order_by("position")]
    foreign = other.questions.get().options.first().pk
    for ranking, message in [
        ([ids[0], ids[0]], "ranked twice"),
        ([ids[0], 999999], "not an option"),
        ([foreign], "not an option"),
        ([], "at least one"),
        (["x"], "option ids"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.cast_ballot(poll=poll, member=member, payload={"ranking": ranking})
    services.cast_ballot(poll=poll, member=member, payload={"ranking": ids[::-1]})


def test_ballots_before_open_and_after_close_are_refused(advisory, member):
    poll = advisory()
    Poll.objects.filter(pk=poll.pk).update(opens=timezone.now() + timedelta(hours=1))
    with pytest.raises(Conflict) as exc:
        services.cast_ballot(poll=poll, member=member, payload={"choice": "yes"})
    assert exc.value.code == "poll_not_open"
    past_close(poll)
    with pytest.raises(Conflict) as exc:
        services.cast_ballot(poll=poll, member=member, payload={"choice": "yes"})
    assert exc.value.code == "poll_closed"


def test_close_writes_the_bulletin_deletes_sealed_ballots_and_erases_the_salt(
    proposal_poll, member, other_member, django_capture_on_commit_callbacks
):
    poll = proposal_poll()
    r1 = services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    services.cast_ballot(
        poll=poll, member=other_member, payload=answers_for(poll, "no")
    )
    assert services.close_poll(poll=poll) is None  # not due yet
    past_close(poll)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.close_poll(poll=poll)
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED
    assert poll.seal_salt is None
    assert not PendingBallot.objects.filter(poll=poll).exists()
    assert result.ballots == result.participations == 2
    assert result.eligible == 2
    hashes = set(
        BulletinBallot.objects.filter(poll=poll).values_list("receipt_hash", flat=True)
    )
    assert sealing.receipt_hash(r1.receipt) in hashes
    assert len(hashes) == 2
    # a tie (1 yes, 1 no) keeps things as they are: rejected
    assert [q["outcome"] for q in result.questions] == ["rejected", "rejected"]
    proposal = poll.proposals.get()
    proposal.refresh_from_db()
    assert proposal.state == "rejected"
    closed = ThreadEvent.objects.get(type="poll.closed")
    assert closed.data["ballots"] == 2
    assert closed.data["outcomes"] == {str(proposal.pk): "rejected"}


def test_a_proposal_is_adopted_when_one_clause_is(proposal_poll, member, other_member):
    poll = proposal_poll()
    first, second = poll.questions.order_by("position")
    for who in (member, other_member):
        services.cast_ballot(
            poll=poll,
            member=who,
            payload={
                "answers": [
                    {"question": first.pk, "choice": "yes"},
                    {"question": second.pk, "choice": "no"},
                ]
            },
        )
    result = services.close_poll(poll=past_close(poll))
    assert [q["outcome"] for q in result.questions] == ["adopted", "rejected"]
    proposal = poll.proposals.get()
    proposal.refresh_from_db()
    assert proposal.state == "adopted"
    assert result.outcomes == {str(proposal.pk): "adopted"}


def test_without_the_turnout_quorum_nothing_is_adopted(proposal_poll, member):
    poll = proposal_poll()
    Poll.objects.filter(pk=poll.pk).update(turnout_quorum="0.75")
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    result = services.close_poll(poll=past_close(poll))
    assert result.quorum_needed == 2
    assert not result.quorum_met
    assert {q["outcome"] for q in result.questions} == {"rejected"}


def test_two_thirds_majority(advisory, voters, member):
    poll = advisory()
    Poll.objects.filter(pk=poll.pk).update(majority="two_thirds")
    people = voters(2)
    from voting.models import VoterRoll as Roll

    Roll.objects.bulk_create([Roll(poll=poll, member=p) for p in people])
    for who, choice in [(member, "yes"), (people[0], "yes"), (people[1], "no")]:
        services.cast_ballot(poll=poll, member=who, payload={"choice": choice})
    result = services.close_poll(poll=past_close(poll))
    assert result.questions[0]["outcome"] == "adopted"  # 2 of 3 is two thirds


def test_closing_twice_stores_one_result(proposal_poll, member):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    past_close(poll)
    first = services.close_poll(poll=poll)
    second = services.close_poll(poll=poll)
    assert first.pk == second.pk
    assert Result.objects.count() == 1
    assert BulletinBallot.objects.filter(poll=poll).count() == 1


def test_a_close_that_fails_halfway_stores_nothing(proposal_poll, member, monkeypatch):
    from voting import closing

    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    past_close(poll)

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(closing, "_record_outcomes", boom)
    with pytest.raises(RuntimeError):
        services.close_poll(poll=poll)
    assert not Result.objects.exists()
    assert not BulletinBallot.objects.exists()
    assert PendingBallot.objects.filter(poll=poll).count() == 1
    monkeypatch.undo()
    assert services.close_poll(poll=poll).ballots == 1


def test_open_poll_ballots_are_public_and_changeable(advisory, member):
    poll = advisory(ballot="open")
    first = services.cast_ballot(poll=poll, member=member, payload={"choice": "yes"})
    assert first.receipt is None
    assert not first.replaced
    again = services.cast_ballot(poll=poll, member=member, payload={"choice": "no"})
    assert again.replaced
    result = services.close_poll(poll=past_close(poll))
    assert result.questions[0]["counts"] == {"yes": 0, "no": 1, "abstain": 0}
    ballot = BulletinBallot.objects.get(poll=poll)
    assert ballot.voter == member
    assert ballot.weight == 1
    assert ballot.answers == "n"


def test_advisory_poll_validation(tree, member, settings):
    settings.POLL_MIN_DURATION = 3600
    with pytest.raises(ValidationError) as exc:
        services.create_advisory_poll(
            actor=member,
            unit=tree["branch"],
            thread=None,
            question="Ja?",
            method="schulze",
            options=["bara en"],
            ballot="hemlig",
            closes=timezone.now() + timedelta(minutes=10),
        )
    assert set(exc.value.message_dict) == {"question", "options", "ballot", "closes"}


def test_advisory_poll_needs_membership(tree, outsider):
    with pytest.raises(NotAllowed):
        services.create_advisory_poll(
            actor=outsider,
            unit=tree["branch"],
            thread=None,
            question="Ska vi ha möte?",
            method="yes_no_abstain",
            options=None,
            ballot="secret",
            closes=timezone.now() + timedelta(hours=2),
        )


def test_turnout_is_pushed_at_most_once_a_second(
    proposal_poll, member, other_member, django_capture_on_commit_callbacks
):
    poll = proposal_poll()
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_ballot(poll=poll, member=other_member, payload=answers_for(poll))
    events = list(ThreadEvent.objects.filter(type="poll.turnout_changed"))
    assert len(events) == 1
    assert events[0].data["participations"] == 1
    assert events[0].data["eligible"] == 2
    assert set(events[0].data) == {
        "poll",
        "participations",
        "eligible",
        "turnout",
        "at",
    }


def test_sweeper_opens_missing_polls_and_closes_due_ones(proposal_poll, member):
    poll = proposal_poll()
    proposal = poll.proposals.get()
    poll.delete()
    assert services.open_missing_polls() == 1
    poll = Poll.objects.get(proposals=proposal)
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    past_close(poll)
    assert services.close_due_polls() == 1
    assert services.close_due_polls() == 0
