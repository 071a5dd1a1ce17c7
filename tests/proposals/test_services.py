"""State machine, schedule (catch-up, idempotency), amendments at the freeze."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.celery import app as celery_app
from deliberation.discussions.models import ThreadEvent
from deliberation.errors import Conflict, NotAllowed
from deliberation.realtime.events import thread_group
from proposals import services, tasks
from proposals.models import (
    Amendment,
    AmendmentState,
    Policy,
    Proposal,
    State,
    StateChange,
)
from proposals.services._common import _transition
from tests.proposals.conftest import move_past_deadline
from tests.realtime import GroupListener

pytestmark = pytest.mark.django_db


def states(p) -> list[tuple[str, str, str]]:
    return list(
        StateChange.objects.filter(proposal=p)
        .order_by("id")
        .values_list("from_state", "to_state", "cause")
    )


def test_beat_entry_is_registered():
    entry = celery_app.conf.beat_schedule["proposals-advance-schedule"]
    assert entry == {"task": "proposals.advance_schedule", "schedule": 60.0}


def test_expires_when_quorum_not_reached_in_time(make_proposal, supporters):
    supporters(30)
    p = make_proposal()
    move_past_deadline(p)
    assert tasks.advance_schedule.delay().get() == 1
    p.refresh_from_db()
    assert p.state == State.EXPIRED
    assert p.closed_at is not None
    assert states(p)[-1] == ("gathering_support", "expired", "schedule")


def test_not_due_proposals_stay(make_proposal):
    p = make_proposal()
    assert services.advance_due_proposals() == 0
    p.refresh_from_db()
    assert p.state == State.GATHERING_SUPPORT


def test_full_schedule_dates_each_step_when_it_was_due(make_proposal, other_member):
    p = services.support_proposal(proposal=make_proposal(), member=other_member)
    assert p.state == State.DISCUSSION
    policy = p.policy
    ends = p.phase_ends
    # Three weeks of downtime: discussion, freeze (3 days) and into voting were all due.
    now = ends + timedelta(days=policy.freeze_days + 1)
    assert services.advance_due_proposals(now=now) == 2
    p.refresh_from_db()
    assert p.state == State.VOTING
    changes = list(StateChange.objects.filter(proposal=p).order_by("at", "id"))
    assert [(c.to_state, c.cause) for c in changes[-2:]] == [
        ("frozen", "schedule"),
        ("voting", "schedule"),
    ]
    assert changes[-2].at == ends
    assert changes[-1].at == ends + timedelta(days=policy.freeze_days)
    assert p.phase_ends == changes[-1].at + timedelta(days=policy.voting_days)
    assert p.voting_ends == p.phase_ends
    # Voting past its end stays voting: the voting area records the result.
    assert services.advance_due_proposals(now=now + timedelta(days=60)) == 0
    services.record_vote_outcome(proposal=p, adopted=True)
    p.refresh_from_db()
    assert p.state == State.ADOPTED


def test_catch_up_from_gathering_never_skips_quorum(make_proposal):
    p = make_proposal()
    assert services.advance_due_proposals(now=timezone.now() + timedelta(days=400)) == 1
    p.refresh_from_db()
    assert p.state == State.EXPIRED


def test_running_the_task_twice_changes_nothing_more(
    make_proposal, other_member, django_capture_on_commit_callbacks
):
    p = services.support_proposal(proposal=make_proposal(), member=other_member)
    move_past_deadline(p)
    first = tasks.advance_schedule.delay().get()
    second = tasks.advance_schedule.delay().get()
    assert (first, second) == (1, 0)
    assert [s[1] for s in states(p)] == ["gathering_support", "discussion", "frozen"]


def test_state_change_event_after_commit_is_json(
    make_proposal, other_member, django_capture_on_commit_callbacks
):
    p = make_proposal()
    with GroupListener(thread_group(p.thread_id)) as listener:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.support_proposal(proposal=p, member=other_member)
            assert listener.nothing()  # not before commit
        assert len(callbacks) == 3  # the notification (quorum), state, then support
        published = [listener.next(), listener.next()]
        assert listener.nothing()
    events = list(ThreadEvent.objects.filter(thread_id=p.thread_id).order_by("seq"))
    assert published == [e.as_message() for e in events[-2:]]
    message = json.loads(json.dumps(events[-2].as_message()))
    assert message["type"] == "proposal.state_changed"
    assert message["id"] == p.pk
    assert message["data"]["state"] == "discussion"
    assert message["data"]["cause"] == "support"
    support = events[-1].as_message()
    assert support["type"] == "proposal.support_changed"
    assert support["data"]["support_count"] == 1


def test_a_state_is_entered_once_even_if_forced(make_proposal, other_member):
    p = services.support_proposal(proposal=make_proposal(), member=other_member)
    locked = Proposal.objects.get(pk=p.pk)
    locked.state = State.GATHERING_SUPPORT  # a stale copy tries the same move again
    with pytest.raises(Conflict):
        _transition(locked, State.DISCUSSION, at=timezone.now(), cause="support")
    assert StateChange.objects.filter(proposal=p, to_state="discussion").count() == 1


def test_withdraw_support_keeps_discussion(make_proposal, other_member):
    p = services.support_proposal(proposal=make_proposal(), member=other_member)
    p = services.withdraw_support(proposal=p, member=other_member)
    assert p.state == State.DISCUSSION
    assert p.support_count == 0


def test_policy_of_nearest_ancestor_is_used(
    tree, admin_member, make_proposal, supporters
):
    services.set_unit_policy(
        actor=admin_member,
        unit=tree["municipality"],
        support_days=5,
        admission_quorum="0.5",
    )
    supporters(9)
    p = make_proposal()
    assert p.policy.unit_id == tree["municipality"].pk
    assert p.eligible_count == 11  # admin, author and 9 others in the branch
    assert p.support_needed == 6  # ceil(11 × 0.5)
    assert p.phase_ends - p.published_at == timedelta(days=5)


def test_only_admins_set_policy(tree, member):
    with pytest.raises(NotAllowed):
        services.set_unit_policy(actor=member, unit=tree["branch"], support_days=1)
    assert not Policy.objects.filter(unit=tree["branch"]).exists()


def test_freeze_sends_supported_amendments_to_vote_and_lapses_the_rest(
    make_proposal, member, other_member, supporters
):
    p = make_proposal(body="Vi vill ha fler cykelbanor och bussar.")
    supported = services.create_amendment(
        proposal=p, actor=other_member, original="fler", replacement="breda"
    )
    ignored = services.create_amendment(
        proposal=p, actor=other_member, original="bussar", replacement="spårvagnar"
    )
    services.support_amendment(amendment=supported, member=member)
    p = services.support_proposal(proposal=p, member=other_member)
    move_past_deadline(p)
    services.advance_due_proposals()
    assert Amendment.objects.get(pk=supported.pk).state == AmendmentState.TO_VOTE
    assert Amendment.objects.get(pk=ignored.pk).state == AmendmentState.LAPSED
    with pytest.raises(Conflict):
        services.accept_amendment(amendment=ignored, actor=member)


def test_stale_amendment_cannot_be_accepted(make_proposal, member, other_member):
    p = make_proposal(body="Vi vill ha fler cykelbanor.")
    amendment = services.create_amendment(
        proposal=p, actor=other_member, original="fler", replacement="breda"
    )
    services.update_proposal(
        proposal=p, actor=member, body="Vi vill ha många cykelbanor."
    )
    with pytest.raises(Conflict):
        services.accept_amendment(amendment=amendment, actor=member)


def test_alternatives_freeze_with_their_original(make_proposal, other_member, member):
    original = services.support_proposal(proposal=make_proposal(), member=other_member)
    alt = services.create_proposal(
        actor=other_member,
        title="Hellre fler bussar",
        alternative_to=original,
        publish=True,
    )
    move_past_deadline(original)
    Proposal.objects.filter(pk=alt.pk).update(
        phase_ends=Proposal.objects.get(pk=original.pk).phase_ends
    )
    services.advance_due_proposals()
    assert set(
        Proposal.objects.filter(pk__in=[original.pk, alt.pk]).values_list(
            "state", flat=True
        )
    ) == {State.FROZEN}
    assert states(alt)[-2:] == [
        ("gathering_support", "discussion", "alternative"),
        ("discussion", "frozen", "schedule"),
    ]


def test_authors_follow_their_proposal(make_proposal, member, other_member):
    from deliberation.notifications.models import Follow

    p = make_proposal(coauthors=[other_member])

    def follows():
        return set(
            Follow.objects.filter(target_kind="proposal", target_id=p.pk).values_list(
                "member_id", flat=True
            )
        )

    assert follows() == {member.pk}
    services.accept_coauthorship(proposal=p, member=other_member)
    assert follows() == {member.pk, other_member.pk}


def test_management_command_advances_due_proposals(make_proposal):
    from io import StringIO

    from django.core.management import call_command

    p = make_proposal()
    move_past_deadline(p)
    out = StringIO()
    call_command("advance_proposals", stdout=out)
    assert "1 scheduled state change" in out.getvalue()
    p.refresh_from_db()
    assert p.state == State.EXPIRED


def test_one_inconsistent_proposal_does_not_block_the_schedule(
    make_proposal, other_member, caplog
):
    broken = services.support_proposal(proposal=make_proposal(), member=other_member)
    fine = make_proposal(title="Ett annat förslag")
    # Someone edited the database by hand: it claims to have been frozen already.
    StateChange.objects.create(
        proposal=broken,
        from_state="discussion",
        to_state="frozen",
        at=timezone.now(),
        cause="schedule",
    )
    move_past_deadline(broken)
    move_past_deadline(fine)
    assert services.advance_due_proposals() == 1
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.state, fine.state) == (State.DISCUSSION, State.EXPIRED)
    assert "could not move on schedule" in caplog.text


def test_voting_hooks_group_and_amendments(make_proposal, member, other_member):
    from proposals import selectors

    original = services.support_proposal(
        proposal=make_proposal(body="Fler bussar."), member=other_member
    )
    amendment = services.create_amendment(
        proposal=original, actor=other_member, original="Fler", replacement="Elektriska"
    )
    services.support_amendment(amendment=amendment, member=member)
    alt = services.create_proposal(
        actor=other_member,
        title="Hellre spårvagnar",
        alternative_to=original,
        publish=True,
    )
    services.create_proposal(
        actor=other_member, title="Ett utkast till alternativ", alternative_to=original
    )
    assert [p.pk for p in selectors.ballot_group(alt)] == [original.pk, alt.pk]
    move_past_deadline(original)
    services.advance_due_proposals()
    assert list(selectors.amendments_to_vote(original)) == [amendment]
