"""Query counts of the list endpoints and pages: the same number of queries for 2 rows
as for 12, so a query per row (N+1) fails here. Each test checks that the rows are
really listed, so an empty page cannot make the counts equal."""

from __future__ import annotations

import itertools
from collections.abc import Callable
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
from deliberation.members.services import create_unit, grant_role
from deliberation.notifications.services import follow
from proposals import services as proposals
from proposals.models import Topic
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return [q["sql"] for q in ctx.captured_queries]


def assert_fixed(
    client, url: str, grow: Callable[[int], object], rows, *, shown: int = 12
) -> None:
    """Grow to 2 rows, count; grow to 12, count again: the counts must be equal.
    `rows(response)` says how many rows the page shows: at least `shown` (pages that
    show only the latest few say how many)."""
    grow(2)
    client.get(url)  # first request: session, content types
    few = queries(client, url)
    grow(10)
    many = queries(client, url)
    assert rows(client.get(url)) >= shown, "the rows must be listed"
    assert len(many) == len(few), "\n".join(
        ["queries with 12 rows that 2 rows did not need:"]
        + [q for q in many if q not in few][:5]
    )


def api_rows(resp) -> int:
    return len(resp.json()["results"])


def html_rows(*markers: str):
    return lambda resp: sum(resp.content.decode().count(m) for m in markers)


# --- discussions ---------------------------------------------------------------------


@pytest.fixture
def moderator(tree):
    m = MemberFactory(units=[tree["branch2"]])
    give_role(m, tree["district"], "moderator")
    return m


@pytest.fixture
def thread(tree, member):
    return create_thread(title="Counted", unit=tree["branch"], actor=member)


def test_flags(tree, thread, moderator):
    def grow(n):
        for i in range(n):
            author, flagger = (MemberFactory(units=[tree["branch"]]) for _ in "ab")
            c = post_comment(thread=thread, author=author, body=f"c{i}")
            flag_comment(comment=c, member=flagger, reason="spam")

    assert_fixed(client_for(moderator), "/api/v1/flags/?page_size=50", grow, api_rows)


def test_appeals(tree, thread, moderator):
    def grow(n):
        for i in range(n):
            author = MemberFactory(units=[tree["branch"]])
            c = post_comment(thread=thread, author=author, body=f"c{i}")
            hide_comment(comment=c, moderator=moderator, reason="rude")
            appeal_hiding(comment=c, author=author, reason="it was not")

    assert_fixed(client_for(moderator), "/api/v1/appeals/?page_size=50", grow, api_rows)


def test_unit_threads_page(client, tree, member, moderator):
    """Threads with comments, a hidden one, and a session each (own facilitator)."""
    now = timezone.now()

    def grow(n):
        for i in range(n):
            t = create_thread(title=f"t{i}", unit=tree["branch"], actor=member)
            author = MemberFactory(units=[tree["branch"]])
            c = post_comment(thread=t, author=author, body="x")
            post_comment(
                thread=t, author=member, body="reply", parent=c, enforce_rate=False
            )
            hide_comment(comment=c, moderator=moderator, reason="r")
            facilitator = MemberFactory(units=[tree["branch"]])
            give_role(facilitator, tree["branch"], "facilitator")
            schedule_live_session(
                unit=tree["branch"],
                facilitator=facilitator,
                title=f"s{i}",
                starts=now + timedelta(hours=1),
                ends=now + timedelta(hours=2),
                thread=t,
            )

    client.force_login(member)
    url = f"/units/{tree['branch'].pk}/threads/"
    assert_fixed(client, url, grow, html_rows('href="/threads/'))


# --- members and audit ---------------------------------------------------------------


@pytest.fixture
def admin(tree):
    m = MemberFactory(units=[tree["branch"]])
    give_role(m, tree["national"], "admin")
    return m


def _grant_roles(tree, admin):
    """Each round: a new unit, a new member with a role there, granted by the admin
    (so the role and its audit entry each have a member, a unit and an actor)."""
    now = timezone.now()

    def grow(n):
        for _ in range(n):
            k = next(_n)
            unit = create_unit(
                name=f"Avdelning q{k}",
                code=f"q-{k}",
                kind="branch",
                parent=tree["municipality"],
            )
            grant_role(
                actor=admin,
                member=MemberFactory(units=[unit]),
                unit=unit,
                role="moderator",
                starts=now - timedelta(days=1),
                ends=now + timedelta(days=30),
                reason="elected",
            )

    return grow


def test_roles(tree, admin, member):
    assert_fixed(
        client_for(member),
        "/api/v1/roles/?page_size=50",
        _grant_roles(tree, admin),
        api_rows,
    )


def test_roles_all_terms(tree, admin, member):
    assert_fixed(
        client_for(member),
        "/api/v1/roles/?all=1&page_size=50",
        _grant_roles(tree, admin),
        api_rows,
    )


def test_audit_log_api(tree, admin, member):
    assert_fixed(
        client_for(member),
        "/api/v1/audit-log/?page_size=50",
        _grant_roles(tree, admin),
        api_rows,
    )


def test_audit_log_page(client, tree, admin, member):
    client.force_login(member)
    assert_fixed(
        client, "/audit/", _grant_roles(tree, admin), html_rows('class="audit-entry"')
    )


# --- follows, topics, policies -------------------------------------------------------


def test_follows(tree, member):
    def grow(n):
        for i in range(n):
            t = create_thread(title=f"f{i}", unit=tree["branch"], actor=member)
            follow(member=member, target_kind="thread", target_id=t.pk)

    assert_fixed(client_for(member), "/api/v1/follows/?page_size=50", grow, api_rows)


def test_topics(anon_client, db):
    def grow(n):
        for _ in range(n):
            k = next(_n)
            Topic.objects.create(name=f"Ämne {k}", slug=f"amne-{k}")

    assert_fixed(anon_client, "/api/v1/topics/", grow, api_rows)


def test_policies(anon_client, tree, admin):
    def grow(n):
        for _ in range(n):
            k = next(_n)
            unit = create_unit(
                name=f"Avdelning p{k}",
                code=f"p-{k}",
                kind="branch",
                parent=tree["municipality"],
            )
            proposals.set_unit_policy(
                actor=admin, unit=unit, reason="test", support_days=20
            )

    assert_fixed(anon_client, "/api/v1/policies/", grow, api_rows)


def test_policy_versions(anon_client, tree, admin):
    """A unit's rule history: one query set however many versions it has."""
    unit = tree["branch"]

    def grow(n):
        for _ in range(n):
            proposals.set_unit_policy(
                actor=admin, unit=unit, reason="test", support_days=10 + next(_n)
            )

    url = f"/api/v1/units/{unit.pk}/policy/versions/"
    assert_fixed(anon_client, url, grow, api_rows)


# --- proposals: revisions, amendments, the home page ---------------------------------


@pytest.fixture
def proposal(tree, member):
    return proposals.create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Vi vill bygga fler cykelbanor.",
        clauses=["att partiet verkar för cykelbanor"],
        unit=tree["branch"],
        publish=True,
    )


def test_revisions(proposal, member):
    def grow(n):
        for _ in range(n):
            proposals.update_proposal(
                proposal=proposal,
                actor=member,
                body=f"Vi vill bygga fler cykelbanor, version {next(_n)}.",
                note="clearer",
            )

    url = f"/api/v1/proposals/{proposal.pk}/revisions/?page_size=50"
    assert_fixed(client_for(member), url, grow, api_rows)


def test_amendments(tree, proposal, member):
    def grow(n):
        for _ in range(n):
            proposals.create_amendment(
                proposal=proposal,
                actor=MemberFactory(units=[tree["branch"]]),
                replacement=f"Vi vill bygga cykelbanor nummer {next(_n)}.",
                rationale="Mer konkret.",
            )

    url = f"/api/v1/proposals/{proposal.pk}/amendments/?page_size=50"
    assert_fixed(client_for(member), url, grow, api_rows)


def test_home_page(client, tree, member, admin):
    """The home page lists open proposals (each with its own author and topic), active
    threads, the member's units and recent audit entries (each with its actor)."""
    grant = _grant_roles(tree, admin)

    def grow(n):
        for _ in range(n):  # a grant and a publish each round: the latest audit
            grant(1)  # entries hold both kinds whatever n (one query per kind)
            k = next(_n)
            author = MemberFactory(units=[tree["branch"]])
            topic = Topic.objects.create(name=f"Ämne h{k}", slug=f"h-{k}")
            proposals.create_proposal(
                actor=author,
                title=f"Förslag {k}",
                body="Text.",
                clauses=["att något görs"],
                unit=tree["branch"],
                topics=[topic],
                publish=True,
            )
            t = create_thread(title=f"Tråd {k}", unit=tree["branch"], actor=author)
            post_comment(thread=t, author=author, body="hej")

    client.force_login(member)
    rows = html_rows('href="/proposals/', 'href="/threads/')
    assert_fixed(client, "/", grow, rows, shown=9)


# --- notifications -------------------------------------------------------------------


@pytest.fixture
def notified(tree, thread, member, django_capture_on_commit_callbacks):
    """grow(n): n replies to the member's comment (each by its own author) and n
    mentions, delivered (each its own event)."""
    mine = post_comment(thread=thread, author=member, body="Min kommentar")

    def grow(n):
        for _ in range(n):
            author = MemberFactory(units=[tree["branch"]])
            with django_capture_on_commit_callbacks(execute=True):
                post_comment(thread=thread, author=author, body="svar", parent=mine)
                post_comment(
                    thread=thread, author=author, body=f"@{member.username} hej"
                )

    return grow


def test_notifications_api(member, notified):
    assert_fixed(
        client_for(member), "/api/v1/notifications/?page_size=50", notified, api_rows
    )


def test_notifications_page(client, member, notified):
    client.force_login(member)
    assert_fixed(client, "/notifications/", notified, html_rows('class="notif '))
