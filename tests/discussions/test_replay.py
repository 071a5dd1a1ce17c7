"""Hidden and deleted text is gone from every surface: a websocket `resume` gives what
a fresh page load gives the same viewer, the API and the page agree, and deleting a
comment erases its text from the comment, its history and its stored events."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from deliberation.asgi import application
from deliberation.discussions import services
from deliberation.discussions.models import Comment, ThreadEvent
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role, make_tree

pytestmark = [pytest.mark.django_db(transaction=True)]

HIDDEN = "MY-PHONE-0701234567"
DELETED = "SECRET-DELETED-TEXT"
EDITED_AWAY = "FIRST-VERSION-TEXT"
VISIBLE = "Visible words"


@pytest.fixture(autouse=True)
def _fresh_presence():
    from deliberation.realtime import presence

    presence._nodes.clear()
    return


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    from django.db import connections

    await database_sync_to_async(connections.close_all)()


@database_sync_to_async
def world():
    """A thread where one comment was hidden by a moderator, one edited and then
    deleted by its author, and one stays visible."""
    tree = make_tree()
    writer = MemberFactory(units=[tree["branch"]])
    reader = MemberFactory(units=[tree["branch"]])
    moderator = MemberFactory(units=[tree["branch2"]])
    give_role(moderator, tree["district"], "moderator")
    thread = services.create_thread(title="Replays", unit=tree["branch"])
    hidden = services.post_comment(thread=thread, author=writer, body=HIDDEN)
    deleted = services.post_comment(thread=thread, author=writer, body=EDITED_AWAY)
    services.edit_comment(comment=deleted, actor=writer, body=DELETED)
    visible = services.post_comment(thread=thread, author=writer, body=VISIBLE)
    services.hide_comment(comment=hidden, moderator=moderator, reason="Phone number")
    services.delete_comment(comment=deleted, actor=writer)
    people = {"writer": writer, "reader": reader, "moderator": moderator}
    tokens = {name: Token.objects.create(user=m).key for name, m in people.items()}
    return {
        "thread": thread,
        "people": people,
        "tokens": tokens,
        "hidden": hidden,
        "deleted": deleted,
        "visible": visible,
    }


async def replay(thread_id: int, token: str) -> list[dict]:
    comm = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/?token={token}")
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "resume", "after_seq": 0})
    got = []
    while not await comm.receive_nothing(timeout=0.5):
        message = await comm.receive_json_from()
        if "seq" in message:
            got.append(message)
    await comm.disconnect()
    return got


def created(events, comment_id) -> dict:
    return next(
        e["data"]
        for e in events
        if e["type"] == "comment.created" and e["id"] == comment_id
    )


async def test_resume_gives_a_member_no_hidden_or_deleted_text():
    w = await world()
    events = await replay(w["thread"].pk, w["tokens"]["reader"])
    text = json.dumps(events)
    assert HIDDEN not in text
    assert DELETED not in text
    assert EDITED_AWAY not in text
    assert VISIBLE in created(events, w["visible"].pk)["body_html"]
    hidden = created(events, w["hidden"].pk)
    assert (hidden["hidden"], hidden["body_html"]) == (True, "")
    deleted = created(events, w["deleted"].pk)
    assert (deleted["deleted"], deleted["body_html"]) == (True, "")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


async def test_resume_shows_hidden_text_to_moderator_and_author_never_deleted_text():
    w = await world()
    for who in ("moderator", "writer"):
        events = await replay(w["thread"].pk, w["tokens"][who])
        assert HIDDEN in created(events, w["hidden"].pk)["body_html"], who
        assert DELETED not in json.dumps(events), who
        assert EDITED_AWAY not in json.dumps(events), who


async def test_resume_shows_what_a_fresh_page_load_shows():
    w = await world()

    @database_sync_to_async
    def page_and_api(member):
        page = Client()
        page.force_login(member)
        html = page.get(f"/threads/{w['thread'].pk}/").content.decode()
        api = client_for(member).get(f"/api/v1/threads/{w['thread'].pk}/comments/")
        return html, api.json()["results"]

    for who, member in w["people"].items():
        events = await replay(w["thread"].pk, w["tokens"][who])
        html, comments = await page_and_api(member)
        by_id = {c["id"]: c for c in comments}
        for comment in (w["hidden"], w["deleted"], w["visible"]):
            replayed = created(events, comment.pk)["body_html"]
            assert replayed == by_id[comment.pk]["body_html"], (who, comment.pk)
            # the page shows the text exactly when the replay does
            shown = (HIDDEN in html) if comment is w["hidden"] else None
            if shown is not None:
                assert shown == (HIDDEN in replayed), who
        assert DELETED not in html
        assert EDITED_AWAY not in html


@database_sync_to_async
def stored_text() -> str:
    rows = ThreadEvent.objects.values_list("data", flat=True)
    return json.dumps(list(rows))


async def test_stored_events_keep_no_comment_text():
    w = await world()
    stored = await stored_text()
    assert HIDDEN not in stored
    assert DELETED not in stored
    assert VISIBLE not in stored  # text lives in the comment only
    assert w["thread"].pk


@database_sync_to_async
def delete_after_legacy_event():
    """An event stored with text (before the rule) loses it when the comment is
    deleted, as do the comment and its edit history."""
    tree = make_tree()
    writer = MemberFactory(units=[tree["branch"]])
    thread = services.create_thread(title="Legacy", unit=tree["branch"])
    comment = services.post_comment(thread=thread, author=writer, body="OLD-TEXT-1")
    services.edit_comment(comment=comment, actor=writer, body="OLD-TEXT-2")
    legacy = ThreadEvent.objects.get(thread=thread, type="comment.created")
    legacy.data |= {"body_html": "<p>OLD-TEXT-1</p>", "body": "OLD-TEXT-1"}
    legacy.save()
    assert comment.revisions.count() == 1
    services.delete_comment(comment=comment, actor=writer)
    comment = Comment.objects.get(pk=comment.pk)
    return (
        comment.body,
        comment.body_html,
        comment.revisions.count(),
        json.dumps(list(ThreadEvent.objects.filter(thread=thread).values("data"))),
    )


async def test_deleting_erases_text_from_comment_history_and_events():
    body, body_html, revisions, events = await delete_after_legacy_event()
    assert (body, body_html, revisions) == ("", "", 0)
    assert "OLD-TEXT" not in events


async def test_live_broadcast_still_carries_visible_text():
    w = await world()
    comm = WebsocketCommunicator(
        application,
        f"/ws/threads/{w['thread'].pk}/?token={w['tokens']['reader']}",
    )
    connected, _ = await comm.connect()
    assert connected
    await database_sync_to_async(services.post_comment)(
        thread=w["thread"], author=w["people"]["writer"], body="Live and visible"
    )
    while True:
        message = await comm.receive_json_from(timeout=3)
        if message["type"] == "comment.created":
            break
    assert "Live and visible" in message["data"]["body_html"]
    await comm.disconnect()
