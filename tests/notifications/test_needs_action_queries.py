"""The "needs my action" list costs a fixed number of queries whatever it holds:
at most two per provider (plus the member's units, read once), the same for one
item of every kind as for three."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deliberation.discussions.services import (
    appeal_hiding,
    create_thread,
    flag_comment,
    hide_comment,
    post_comment,
    schedule_live_session,
)
from deliberation.notifications.needs_action import (
    needs_action_for,
    registered_providers,
)
from proposals import services as proposals
from tests.factories import MemberFactory, give_role

from .needs_action_helpers import items, open_poll, proposal_near_quorum

pytestmark = pytest.mark.django_db


def _one_of_each(tree, member, n):
    """One item of every kind for `member`, who moderates the branch."""
    if not member.__dict__.get("_moderates_in_test"):
        give_role(member, tree["branch"], "moderator")
        member.__dict__["_moderates_in_test"] = True
    author = MemberFactory(units=[tree["branch"]])
    backers = [MemberFactory(units=[tree["branch"]]) for _ in range(3)]
    facilitator = MemberFactory(units=[tree["branch"]])
    give_role(facilitator, tree["branch"], "facilitator")
    thread = create_thread(title=f"Tråd {n}", unit=tree["branch"], actor=member)
    open_poll(tree["branch"], author, hours=10 + n, question=f"Fråga nummer {n}?")
    proposal_near_quorum(tree["branch"], author, backers)
    proposals.create_proposal(
        actor=author, title=f"Utkast {n}", unit=tree["branch"], coauthors=[member]
    )
    mine = proposals.create_proposal(
        actor=member,
        title=f"Mitt förslag {n}",
        body="Vi vill bygga fler cykelbanor.",
        unit=tree["branch"],
        publish=True,
    )
    proposals.create_amendment(
        proposal=mine, actor=author, original="fler", replacement="många fler"
    )
    comment = post_comment(thread=thread, author=member, body="Vad tycker ni?")
    post_comment(thread=thread, author=author, body="Bra!", parent=comment)
    schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title=f"Möte {n}",
        starts=timezone.now() + timedelta(days=1, hours=n),
    )
    flagged = post_comment(thread=thread, author=author, body="Dumt sagt")
    flag_comment(comment=flagged, member=backers[0], reason="Personangrepp")
    hider = MemberFactory(units=[tree["branch"]])
    give_role(hider, tree["branch"], "moderator")
    hidden = post_comment(thread=thread, author=backers[1], body="Elakt")
    hide_comment(comment=hidden, moderator=hider, reason="Personangrepp.")
    appeal_hiding(comment=hidden, author=backers[1], reason="Det var inte elakt")


def _count(client):
    with CaptureQueriesContext(connection) as ctx:
        body = items(client)
    return len(ctx.captured_queries), body


def test_api_queries_do_not_grow_with_the_items(api, member, tree):
    _one_of_each(tree, member, 1)
    few, body = _count(api)
    assert sorted({i["kind"] for i in body}) == sorted(registered_providers())
    assert len(body) == len(registered_providers())
    for n in (2, 3):
        _one_of_each(tree, member, n)
    many, body = _count(api)
    assert len(body) == 3 * len(registered_providers())
    assert many == few


def test_each_provider_costs_at_most_two_queries(member, tree):
    _one_of_each(tree, member, 1)
    fresh = type(member).objects.get(pk=member.pk)
    with CaptureQueriesContext(connection) as ctx:
        found = needs_action_for(fresh)
    assert len(found) == len(registered_providers())
    # the member's units and their ancestors are read once (two queries) and
    # cached on the member for every provider; then at most two per provider
    assert len(ctx.captured_queries) <= 2 * len(registered_providers()) + 2


@pytest.mark.parametrize("url", ["/needs-action/", "/"])
def test_pages_queries_do_not_grow_with_the_items(client, member, tree, url):
    client.force_login(member)
    _one_of_each(tree, member, 1)
    client.get(url)  # session, content types

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        return len(ctx.captured_queries), resp.content.decode()

    few, html = count()
    cap = 6 if url == "/" else 99
    assert html.count('class="action-item') == min(cap, len(registered_providers()))
    for n in (2, 3):
        _one_of_each(tree, member, n)
    many, html = count()
    shown = min(cap, 3 * len(registered_providers()))
    assert html.count('class="action-item') == shown
    assert many == few
