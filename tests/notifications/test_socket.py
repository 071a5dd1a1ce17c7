"""`/ws/notifications/` over the real ASGI application and channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from rest_framework.authtoken.models import Token

from deliberation.discussions.services import create_thread, post_comment
from tests.discussions.test_consumers import ws
from tests.factories import MemberFactory, make_tree

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    from django.db import connections

    await database_sync_to_async(connections.close_all)()


@database_sync_to_async
def world():
    tree = make_tree()
    author = MemberFactory(units=[tree["branch"]])
    replier = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="Live", unit=tree["branch"], actor=author)
    comment = post_comment(thread=thread, author=author, body="Hej")
    token = Token.objects.create(user=author).key
    return author, replier, comment, token


reply = database_sync_to_async(
    lambda comment, who, body: post_comment(
        thread=comment.thread, author=who, body=body, parent=comment
    )
)


async def test_anonymous_is_closed_4401():
    comm = ws("/ws/notifications/")
    connected, _ = await comm.connect()
    assert connected
    msg = await comm.receive_output(timeout=3)
    assert msg == {"type": "websocket.close", "code": 4401}


async def test_created_live_with_unread_and_resume():
    author, replier, comment, token = await world()
    comm = ws("/ws/notifications/", token=token)
    assert (await comm.connect())[0]
    assert await comm.receive_json_from(timeout=3) == {"type": "unread", "unread": 0}
    first = await reply(comment, replier, "Ett")
    msg = await comm.receive_json_from(timeout=5)
    assert msg["type"] == "notification.created"
    assert msg["unread"] == 1
    assert msg["data"]["kind"] == "reply"
    assert msg["data"]["object"] == {"type": "comment", "id": first.pk}
    seen = msg["data"]["id"]
    await comm.disconnect()

    await reply(comment, replier, "Två")  # while away
    await reply(comment, replier, "Tre")
    comm = ws("/ws/notifications/", token=token)
    assert (await comm.connect())[0]
    assert (await comm.receive_json_from(timeout=3))["unread"] == 3
    await comm.send_json_to({"type": "resume", "after": seen})
    got = [await comm.receive_json_from(timeout=3) for _ in range(2)]
    assert [m["type"] for m in got] == ["notification.created"] * 2
    assert got[0]["data"]["id"] < got[1]["data"]["id"]
    assert got[0]["data"]["id"] > seen
    assert await comm.receive_nothing(timeout=0.3)
    await comm.send_json_to({"type": "resume", "after": "x"})
    assert (await comm.receive_json_from(timeout=3))["type"] == "error"
    await comm.disconnect()
