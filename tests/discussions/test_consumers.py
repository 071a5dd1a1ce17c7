"""The live thread over a real ASGI application (auth guard + router + consumer),
with the configured channel layer (Redis pub/sub in CI, in-memory without REDIS_URL)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from deliberation.asgi import application
from deliberation.discussions.services import (
    add_reaction,
    create_thread,
    hide_comment,
    post_comment,
)
from tests.factories import MemberFactory, give_role, make_tree

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_presence():
    from deliberation.realtime import presence

    presence._nodes.clear()
    return


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    """Close the DB connection the sync worker thread opened, so the test database can
    be dropped at the end."""
    yield
    from django.db import connections

    await database_sync_to_async(connections.close_all)()


@database_sync_to_async
def setup_world():
    tree = make_tree()
    author = MemberFactory(units=[tree["branch"]])
    reader = MemberFactory(units=[tree["branch2"]])
    nobody = MemberFactory()  # an account without any membership
    thread = create_thread(title="Live", unit=tree["branch"], actor=author)
    tokens = {m: Token.objects.create(user=m).key for m in (author, reader, nobody)}
    return {
        "tree": tree,
        "author": author,
        "reader": reader,
        "nobody": nobody,
        "thread": thread,
        "tokens": tokens,
    }


def ws(path: str, *, token: str | None = None, origin: str | None = None):
    """A client; with an `origin`, the page it comes from is served as `testserver`."""
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")] if origin else []
    if token:
        path += f"?token={token}"
    return WebsocketCommunicator(application, path, headers=headers)


async def next_event(comm, timeout=3):
    """The next message that is part of the seq stream (presence is skipped)."""
    while True:
        msg = await comm.receive_json_from(timeout=timeout)
        if msg.get("type") != "presence.changed":
            return msg


async def no_stream_event(comm, wait=0.5):
    """True when nothing but presence arrives (receive_nothing does not cancel the
    application the way a receive timeout does)."""
    while not await comm.receive_nothing(timeout=wait):
        msg = await comm.receive_json_from()
        if msg.get("type") != "presence.changed":
            raise AssertionError(f"unexpected event {msg}")
    return True


async def connect_ok(path, **kw):
    comm = ws(path, **kw)
    connected, _ = await comm.connect()
    assert connected
    return comm


post = database_sync_to_async(post_comment)


async def close_code(comm) -> int:
    """The code a refused socket is closed with: accepted, then closed at once, so
    the client sees the code (a refusal before the handshake is only HTTP 403)."""
    connected, _ = await comm.connect()
    assert connected
    message = await comm.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
    return message["code"]


async def test_anonymous_is_refused_4401():
    world = await setup_world()
    comm = ws(f"/ws/threads/{world['thread'].pk}/", origin="http://testserver")
    assert await close_code(comm) == 4401


async def test_unknown_thread_is_4404():
    world = await setup_world()
    comm = ws("/ws/threads/999999/", token=world["tokens"][world["author"]])
    assert await close_code(comm) == 4404


async def test_thread_id_beyond_64_bits_is_4404():
    world = await setup_world()
    comm = ws(
        "/ws/threads/99999999999999999999999/", token=world["tokens"][world["author"]]
    )
    assert await close_code(comm) == 4404


async def test_account_without_membership_is_4403():
    world = await setup_world()
    comm = ws(
        f"/ws/threads/{world['thread'].pk}/", token=world["tokens"][world["nobody"]]
    )
    assert await close_code(comm) == 4403


async def test_bad_token_is_anonymous():
    world = await setup_world()
    comm = ws(f"/ws/threads/{world['thread'].pk}/", token="not-a-token")
    assert await close_code(comm) == 4401


async def test_foreign_origin_is_refused():
    world = await setup_world()
    comm = ws(
        f"/ws/threads/{world['thread'].pk}/",
        token=world["tokens"][world["author"]],
        origin="https://evil.example",
    )
    connected, _ = await comm.connect()
    assert not connected


async def test_member_of_another_branch_watches_live():
    world = await setup_world()
    thread = world["thread"]
    comm = await connect_ok(
        f"/ws/threads/{thread.pk}/", token=world["tokens"][world["reader"]]
    )
    comment = await post(
        thread=thread, author=world["author"], body="Hello **all**", stance="for"
    )
    event = await next_event(comm)
    assert event["type"] == "comment.created"
    assert event["id"] == comment.pk
    assert event["seq"] == 1
    assert event["data"]["body_html"] == "<p>Hello <strong>all</strong></p>\n"
    assert event["data"]["stance"] == "for"
    await comm.disconnect()


async def test_hidden_and_reaction_events_carry_no_hidden_text():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    moderator = await database_sync_to_async(MemberFactory)(
        units=[world["tree"]["branch2"]]
    )
    await database_sync_to_async(give_role)(
        moderator, world["tree"]["district"], "moderator"
    )
    comment = await post(thread=thread, author=author, body="secret insult")
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    await database_sync_to_async(add_reaction)(
        comment=comment, member=author, kind="like"
    )
    event = await next_event(comm)
    assert event["type"] == "reaction.changed"
    assert event["data"]["reactions"] == {"like": 1}
    await database_sync_to_async(hide_comment)(
        comment=comment, moderator=moderator, reason="insult"
    )
    event = await next_event(comm)
    assert event["type"] == "comment.hidden"
    assert event["data"]["reason"] == "insult"
    assert "secret" not in str(event)
    await comm.disconnect()


async def test_resume_replays_exactly_what_was_missed_in_order():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    token = world["tokens"][world["reader"]]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=token)
    await post(thread=thread, author=author, body="one")
    first = await next_event(comm)
    await comm.disconnect()
    missed = [
        await post(thread=thread, author=author, body=f"missed {i}") for i in range(3)
    ]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=token)
    await comm.send_json_to({"type": "resume", "after_seq": first["seq"]})
    got = [await next_event(comm) for _ in range(3)]
    assert [e["id"] for e in got] == [c.pk for c in missed]
    assert [e["seq"] for e in got] == [2, 3, 4]
    # live continues after the replay, without duplicates
    live = await post(thread=thread, author=author, body="live")
    event = await next_event(comm)
    assert (event["id"], event["seq"]) == (live.pk, 5)
    assert await no_stream_event(comm)
    await comm.disconnect()


async def test_resume_while_events_arrive_sends_none_twice():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    for i in range(5):
        await post(thread=thread, author=author, body=f"c{i}", enforce_rate=False)
    # The live copies of 1..5 are queued for the consumer; resume from 0 replays them
    # from the database first: the live copies must then be dropped.
    await comm.send_json_to({"type": "resume", "after_seq": 0})
    await post(thread=thread, author=author, body="during", enforce_rate=False)
    seqs = [(await next_event(comm))["seq"] for _ in range(6)]
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert await no_stream_event(comm)
    await comm.disconnect()


async def test_a_gap_in_live_events_is_filled_from_the_database():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    # An event stored without being published (as if the layer lost it) ...
    from deliberation.discussions.services import threads

    def silent_post():
        from unittest import mock

        with mock.patch.object(threads, "publish_on_commit"):
            return post_comment(thread=thread, author=author, body="lost")

    lost = await database_sync_to_async(silent_post)()
    after = await post(thread=thread, author=author, body="after")
    got = [await next_event(comm) for _ in range(2)]
    assert [e["id"] for e in got] == [lost.pk, after.pk]
    await comm.disconnect()


async def test_a_ping_brings_an_event_the_layer_lost_when_nothing_follows_it():
    """After a Redis restart the last events may have gone unpublished and no later
    event reveals the gap: the client's keep-alive ping does, once each."""
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    from deliberation.discussions.services import threads

    def silent_posts():
        from unittest import mock

        with mock.patch.object(threads, "publish_on_commit"):
            return [
                post_comment(thread=thread, author=author, body=f"lost {i}")
                for i in range(2)
            ]

    lost = await database_sync_to_async(silent_posts)()
    assert await no_stream_event(comm)
    await comm.send_json_to({"type": "ping"})
    got = [await next_event(comm) for _ in range(3)]
    assert [(e["type"], e.get("id")) for e in got] == [
        ("comment.created", lost[0].pk),
        ("comment.created", lost[1].pk),
        ("pong", None),
    ]
    assert got[2]["last_seq"] == got[1]["seq"]
    await comm.send_json_to({"type": "ping"})
    assert await next_event(comm) == {"type": "pong", "last_seq": got[1]["seq"]}
    await comm.disconnect()


@pytest.mark.parametrize(
    ("message", "detail"),
    [
        ("not json", "Invalid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "resume"}', "after_seq"),
        ('{"type": "resume", "after_seq": "3"}', "after_seq"),
        ('{"type": "resume", "after_seq": -1}', "after_seq"),
        ('{"type": "dance"}', "Unknown message type"),
    ],
)
async def test_invalid_messages_get_an_error_event_not_a_crash(message, detail):
    world = await setup_world()
    thread = world["thread"]
    comm = await connect_ok(
        f"/ws/threads/{thread.pk}/", token=world["tokens"][world["author"]]
    )
    await comm.send_to(text_data=message)
    reply = await next_event(comm)
    assert reply["type"] == "error"
    assert detail in reply["detail"]
    await comm.send_json_to({"type": "ping"})
    assert (await next_event(comm))["type"] == "pong"
    await comm.disconnect()


async def test_binary_and_oversized_messages_get_errors():
    world = await setup_world()
    comm = await connect_ok(
        f"/ws/threads/{world['thread'].pk}/", token=world["tokens"][world["author"]]
    )
    await comm.send_to(bytes_data=b"\x00\x01")
    assert (await next_event(comm))["type"] == "error"
    await comm.send_to(text_data="x" * 10_000)
    assert "too large" in (await next_event(comm))["detail"]
    await comm.disconnect()


async def test_presence_counts_distinct_members():
    world = await setup_world()
    thread = world["thread"]
    path = f"/ws/threads/{thread.pk}/"
    a1 = await connect_ok(path, token=world["tokens"][world["author"]])
    a2 = await connect_ok(path, token=world["tokens"][world["author"]])
    b = await connect_ok(path, token=world["tokens"][world["reader"]])

    async def last_presence(comm):
        count = None
        while True:
            if await comm.receive_nothing(timeout=1.5):
                return count
            msg = await comm.receive_json_from()
            if msg["type"] == "presence.changed":
                assert "seq" not in msg
                count = msg["data"]["count"]

    assert await last_presence(b) == 2
    await a2.disconnect()
    await b.disconnect()
    assert await last_presence(a1) == 1
    await a1.disconnect()


async def test_session_cookie_with_our_origin_is_accepted(client):
    world = await setup_world()
    await database_sync_to_async(client.force_login)(world["author"])
    cookie = client.cookies["sessionid"].value
    comm = WebsocketCommunicator(
        application,
        f"/ws/threads/{world['thread'].pk}/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await comm.connect()
    assert connected
    await comm.disconnect()


async def test_event_already_sent_live_is_not_replayed_by_a_late_resume():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    await post(thread=thread, author=author, body="live first")
    assert (await next_event(comm))["seq"] == 1
    await comm.send_json_to({"type": "resume", "after_seq": 0})
    await post(thread=thread, author=author, body="second")
    assert (await next_event(comm))["seq"] == 2
    assert await no_stream_event(comm)
    await comm.disconnect()


async def test_resume_with_a_seq_from_the_future_starts_over():
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    await post(thread=thread, author=author, body="one")
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    await comm.send_json_to({"type": "resume", "after_seq": 999})
    await post(thread=thread, author=author, body="two")
    assert (await next_event(comm))["seq"] == 2
    await comm.disconnect()


async def test_resume_and_gap_fill_work_in_batches(monkeypatch):
    from deliberation.discussions import consumers
    from deliberation.discussions.services import threads

    monkeypatch.setattr(consumers, "REPLAY_BATCH", 3)
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    for i in range(7):
        await post(thread=thread, author=author, body=f"old {i}", enforce_rate=False)
    comm = await connect_ok(f"/ws/threads/{thread.pk}/", token=world["tokens"][author])
    await comm.send_json_to({"type": "resume", "after_seq": 0})
    assert [(await next_event(comm))["seq"] for _ in range(7)] == list(range(1, 8))

    def silent(n):
        from unittest import mock

        with mock.patch.object(threads, "publish_on_commit"):
            for i in range(n):
                post_comment(
                    thread=thread, author=author, body=f"lost {i}", enforce_rate=False
                )

    await database_sync_to_async(silent)(5)  # seq 8..12 never published
    await post(thread=thread, author=author, body="found", enforce_rate=False)
    assert [(await next_event(comm))["seq"] for _ in range(6)] == list(range(8, 14))
    assert await no_stream_event(comm)
    await comm.disconnect()
