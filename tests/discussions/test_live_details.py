"""Live details of issue 13: a session's agenda as soon as it is scheduled and its
sessions block for live.js, one time format for page and live event, the live comment
count, and editing a comment from a page the thread is embedded in returns there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from deliberation.discussions.models import Comment
from deliberation.discussions.payloads import public_comment_payload
from deliberation.discussions.services import post_comment, schedule_live_session
from proposals import services as proposal_services
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _session(facilitator, tree, *, starts, agenda="1. Budget\n2. Övrigt", thread=None):
    return schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="Budget night",
        agenda=agenda,
        starts=starts,
        ends=starts + timedelta(hours=1),
        thread=thread,
    )


def test_agenda_of_a_scheduled_session_shows_before_it_starts(
    client, facilitator, member, tree
):
    session = _session(facilitator, tree, starts=timezone.now() + timedelta(days=2))
    client.force_login(member)
    html = client.get(session.thread.get_absolute_url()).content.decode()
    assert "Live session now" not in html
    assert "Scheduled" in html
    assert "1. Budget<br>2. Övrigt" in html  # the agenda, before the start
    unit_page = client.get(f"/units/{tree['branch'].pk}/threads/").content.decode()
    assert "1. Budget<br>2. Övrigt" in unit_page


def test_sessions_fragment_is_the_sessions_block_for_live_js(
    client, facilitator, member, tree
):
    upcoming = _session(facilitator, tree, starts=timezone.now() + timedelta(hours=3))
    client.force_login(member)
    url = f"/threads/{upcoming.thread_id}/sessions/fragment/"
    html = client.get(url).content.decode()
    assert "<html" not in html
    assert 'data-session-live="0"' in html
    assert "1. Budget" in html
    # it starts (as the beat would see it): the fragment now shows the live banner
    type(upcoming).objects.filter(pk=upcoming.pk).update(
        starts=timezone.now() - timedelta(minutes=1)
    )
    html = client.get(url).content.decode()
    assert 'data-session-live="1"' in html
    assert "Live session now" in html
    assert "1. Budget" in html
    assert "Close with minutes" not in html  # only the facilitator closes
    client.force_login(facilitator)
    assert "Close with minutes" in client.get(url).content.decode()


def test_sessions_fragment_follows_the_thread_read_rule(
    client, member, tree, other_member
):
    draft = proposal_services.create_proposal(
        actor=member,
        title="Hemligt utkast",
        body="x",
        clauses=["att x"],
        unit=tree["branch"],
        publish=False,
    )
    client.force_login(other_member)
    resp = client.get(f"/threads/{draft.thread_id}/sessions/fragment/")
    assert resp.status_code == 404
    client.logout()
    resp = client.get(f"/threads/{draft.thread_id}/sessions/fragment/")
    assert resp.status_code == 302


def test_live_event_and_page_show_the_same_time_text(client, member, comment):
    # 10:05 UTC is 12:05 in Stockholm in June (the site's TIME_ZONE)
    Comment.objects.filter(pk=comment.pk).update(
        created=datetime(2026, 6, 1, 10, 5, tzinfo=UTC)
    )
    comment.refresh_from_db()
    assert public_comment_payload(comment)["created_text"] == "2026-06-01 12:05"
    client.force_login(member)
    html = client.get(f"/threads/{comment.thread_id}/").content.decode()
    assert ">2026-06-01 12:05</time>" in html


def test_comment_created_event_carries_the_new_count(
    thread, member, django_capture_on_commit_callbacks
):
    from deliberation.realtime.events import thread_group
    from tests.realtime import GroupListener

    with GroupListener(thread_group(thread.pk)) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            post_comment(thread=thread, author=member, body="One", stance="for")
        first = listener.next()
        with django_capture_on_commit_callbacks(execute=True):
            post_comment(thread=thread, author=member, body="Two", stance="for")
        second = listener.next()
    assert first["type"] == second["type"] == "comment.created"
    assert (first["data"]["comment_count"], second["data"]["comment_count"]) == (1, 2)
    assert first["data"]["created_text"]


def test_thread_page_carries_the_count_labels_in_the_page_language(
    client, member, comment
):
    client.force_login(member)
    html = client.get(f"/threads/{comment.thread_id}/").content.decode()
    assert f'data-comment-count="{comment.thread_id}"' in html
    assert 'data-count-one="__N__ comment"' in html
    assert 'data-count-other="__N__ comments"' in html
    with translation.override("sv"):
        html = client.get(
            f"/threads/{comment.thread_id}/", HTTP_ACCEPT_LANGUAGE="sv"
        ).content.decode()
    assert 'data-count-other="__N__ kommentarer"' in html


@pytest.fixture
def proposal(tree, member):
    return proposal_services.create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Vi vill.",
        clauses=["att partiet verkar för cykelbanor"],
        unit=tree["branch"],
        publish=True,
    )


def test_editing_a_comment_on_a_proposal_page_returns_to_the_proposal(
    client, member, proposal
):
    own = post_comment(
        thread=proposal.thread, author=member, body="Mitt inlägg", stance="for"
    )
    client.force_login(member)
    page = f"/proposals/{proposal.pk}/"
    html = client.get(page).content.decode()
    edit = f"/comments/{own.pk}/edit/?next=%2Fproposals%2F{proposal.pk}%2F"
    assert edit in html
    form = client.get(edit).content.decode()
    assert f'href="{page}#c-{own.pk}"' in form  # "Cancel" goes back there too
    resp = client.post(edit, {"body": "Ändrat", "stance": "for"})
    assert resp.status_code == 302
    assert resp["Location"] == f"{page}#c-{own.pk}"
    # the live fragment (own comment, fetched by live.js) keeps the way back
    frag = client.get(
        f"/threads/{proposal.thread_id}/comments/{own.pk}/fragment/?next={page}"
    ).content.decode()
    assert edit in frag


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_an_unsafe_next_falls_back_to_the_thread(client, member, thread, evil):
    own = post_comment(thread=thread, author=member, body="Text", stance="for")
    client.force_login(member)
    resp = client.post(
        f"/comments/{own.pk}/edit/", {"body": "New", "stance": "for", "next": evil}
    )
    assert resp.status_code == 302
    assert resp["Location"].startswith(f"/threads/{thread.pk}/")
    assert "evil" not in resp["Location"]


def test_delete_from_a_proposal_page_returns_there(client, member, proposal):
    own = post_comment(thread=proposal.thread, author=member, body="Bort", stance="for")
    client.force_login(member)
    page = f"/proposals/{proposal.pk}/"
    resp = client.post(f"/comments/{own.pk}/delete/", {"next": page})
    assert resp["Location"] == f"{page}#c-{own.pk}"
    other = MemberFactory(units=[proposal.unit])
    client.force_login(other)
    resp = client.post(f"/comments/{own.pk}/react/", {"kind": "like", "next": page})
    assert resp["Location"] == f"{page}#c-{own.pk}"
