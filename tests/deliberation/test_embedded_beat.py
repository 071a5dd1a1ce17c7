"""The embedded profile runs the beat schedule in-process (no Celery beat there)."""

import pytest

from deliberation import embedded_beat
from proposals import services
from proposals.models import State
from tests.factories import MemberFactory
from tests.proposals.conftest import move_past_deadline

pytestmark = pytest.mark.django_db


def test_due_entries_run_and_move_proposals_on_schedule(tree, member):
    for _ in range(20):
        MemberFactory(units=[tree["branch"]])
    proposal = services.create_proposal(
        actor=member,
        title="Fler parkbänkar i stan",
        body="Fler bänkar.",
        clauses=None,
        unit=tree["branch"],
        publish=True,
    )
    move_past_deadline(proposal)
    last_run: dict[str, float] = {}
    assert set(embedded_beat.run_due(last_run, now=1000.0)) >= {
        "proposals-advance-schedule",
        "discussions-announce-live-sessions",
        "voting-sweep",
        "notifications-sweep",
        "members-erase-due",
        "congress-sweep",
        "voting-remind-closing",
        "notifications-digest",
    }
    proposal.refresh_from_db()
    assert proposal.state == State.EXPIRED


def test_an_entry_waits_for_its_interval(db):
    last_run = {
        "proposals-advance-schedule": 1000.0,
        "discussions-announce-live-sessions": 1000.0,
        "voting-sweep": 1000.0,
        "notifications-sweep": 1000.0,
        "delegations-remind-expiring": 1000.0,
        "members-erase-due": 1000.0,
        "members-prune-personal-data": 1000.0,
        "congress-sweep": 1000.0,
        "voting-remind-closing": 1000.0,
        "notifications-digest": 1000.0,
        "proposals-record-lapsed-rules": 1000.0,
    }
    assert embedded_beat.run_due(last_run, now=1029.0) == []
    assert sorted(embedded_beat.run_due(last_run, now=1031.0)) == [
        "discussions-announce-live-sessions",
        "notifications-sweep",
        "voting-sweep",
    ]
    assert sorted(embedded_beat.run_due(last_run, now=1060.5)) == [
        "congress-sweep",
        "members-erase-due",
        "notifications-digest",
        "proposals-advance-schedule",
    ]
    hourly = embedded_beat.run_due(last_run, now=4601.0)
    assert "delegations-remind-expiring" in hourly
    assert "members-prune-personal-data" in hourly
    assert "proposals-record-lapsed-rules" in hourly


def test_one_off_tasks_run_when_due_and_only_where_the_beat_runs(monkeypatch, db):
    from datetime import timedelta

    from django.utils import timezone

    soon = timezone.now() + timedelta(seconds=30)
    assert embedded_beat.call_at(soon, "voting.sweep", []) is False  # no beat here
    monkeypatch.setattr(embedded_beat, "_timers", [])
    embedded_beat._running.set()
    try:
        assert embedded_beat.call_at(soon, "voting.sweep", []) is True
        assert embedded_beat.run_timers(soon.timestamp() - 1) == []
        assert embedded_beat.run_timers(soon.timestamp()) == ["voting.sweep"]
        assert embedded_beat.run_timers(soon.timestamp() + 60) == []
    finally:
        embedded_beat._running.clear()
