"""`GET /api/v1/needs-action/` from the outside: who may ask, what each kind lists
and when it goes away, ordering, the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import MemberFactory
from voting.models import Poll

from .needs_action_helpers import items, kinds, open_poll, vote

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_json(anon_client):
    resp = anon_client.get("/api/v1/needs-action/")
    assert resp.status_code == 401
    assert "detail" in resp.json()


def test_account_without_membership_gets_403_json(db):
    nobody = MemberFactory()
    resp = client_for(nobody).get("/api/v1/needs-action/")
    assert resp.status_code == 403
    assert "detail" in resp.json()


def test_bad_days_is_a_400_naming_it(api):
    for bad in ("0", "32", "x", "-1"):
        resp = api.get("/api/v1/needs-action/", {"days": bad})
        assert resp.status_code == 400, bad
        assert "days" in resp.json()


def test_nothing_waiting_is_an_empty_list(api):
    assert items(api) == []


def test_poll_on_the_roll_is_listed_until_the_member_votes(api, member, tree):
    poll = open_poll(tree["branch"], member, hours=30)
    [item] = items(api)
    assert item["kind"] == "vote"
    assert item["object"] == {"type": "poll", "id": poll.pk}
    assert item["url"] == f"/polls/{poll.pk}/"
    assert item["action"].startswith("Vote before ")
    assert item["text"] == f"{item['action']}: {poll.title}"
    assert item["deadline"] == poll.closes.isoformat()
    vote(poll, member)
    assert items(api) == []


def test_poll_says_the_day_it_closes(api, member, tree):
    poll = open_poll(tree["branch"], member, hours=24 * 3 + 1)
    local = timezone.localtime(poll.closes)
    [item] = items(api)
    assert item["action"] == f"Vote before {local:%A} {local:%H:%M}"


def test_poll_not_on_the_roll_is_not_listed(api, member, tree, outsider):
    open_poll(tree["branch2"], outsider)  # sibling branch: member not on the roll
    assert items(api) == []
    # joined after the roll was frozen: still not eligible
    late = open_poll(tree["branch"], member)
    newcomer = MemberFactory(units=[tree["branch"]])
    assert (
        "vote",
        "poll",
        late.pk,
    ) not in kinds(client_for(newcomer))


def test_poll_closing_after_the_window_waits_for_a_wider_window(api, member, tree):
    poll = open_poll(tree["branch"], member, hours=24 * 10)
    assert items(api) == []
    assert kinds(api, days=14) == [("vote", "poll", poll.pk)]


def test_poll_past_its_close_is_gone(api, member, tree):
    poll = open_poll(tree["branch"], member, hours=5)
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(
        opens=now - timedelta(hours=2), closes=now - timedelta(seconds=1)
    )
    assert items(api) == []


def test_items_are_ordered_by_deadline_soonest_first(api, member, tree):
    later = open_poll(tree["branch"], member, hours=50, question="Senare frågan här?")
    sooner = open_poll(tree["municipality"], member, hours=3, question="Snart frågan?")
    assert [i["object"]["id"] for i in items(api)] == [sooner.pk, later.pk]


def test_texts_follow_the_request_language(api, member, tree):
    open_poll(tree["branch"], member, hours=3)
    [item] = api.get("/api/v1/needs-action/", HTTP_ACCEPT_LANGUAGE="sv").json()
    assert item["action"].startswith("Rösta före ")
    # 3 hours ahead: later today, or after midnight tomorrow
    assert item["action"].endswith(" i dag") or "i morgon" in item["action"]
