"""Bad websocket frames are answered, never fatal, and presence stays true (issue 7
§3): the checks of `deliberation.realtime.consumers.JsonFrameConsumer`, through the
real ASGI application and the configured channel layer and presence store."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from deliberation.realtime import presence
from deliberation.realtime.events import thread_group
from tests.discussions.test_consumers import (  # noqa: F401  (fixtures)
    _close_thread_connections,
    _fresh_presence,
    connect_ok,
    next_event,
    post,
    setup_world,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def nested_array_frame(length: int = 4000) -> str:
    return "[" * (length // 2) + "]" * (length // 2)


async def here(thread, expected: int, timeout: float = 3.0) -> int:
    """The presence count once it is `expected` (joins finish just after the
    handshake), or whatever it is after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        n = await presence.count(f"thread:{thread.pk}")
        if n == expected or loop.time() > deadline:
            return n
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        (nested_array_frame(), "deep"),
        ('{"type": "resume", "after_seq": ' + "[" * 40 + "]" * 40 + "}", "deep"),
        ('{"type": "resume", "after_seq": 99999999999999999999999}', "64 bits"),
        ('{"type": "resume", "after_seq": 1e999}', "finite"),
        ('{"type": "resume", "after_seq": NaN}', "NaN"),
        ("null", "JSON object"),
        ("[" * 10, "Invalid JSON"),
    ],
)
async def test_a_bad_frame_is_answered_and_the_socket_stays_consistent(frame, detail):
    world = await setup_world()
    thread, author = world["thread"], world["author"]
    path = f"/ws/threads/{thread.pk}/"
    comm = await connect_ok(path, token=world["tokens"][author])
    other = await connect_ok(path, token=world["tokens"][world["reader"]])
    assert await here(thread, 2) == 2

    await comm.send_to(text_data=frame)
    reply = await next_event(comm)
    assert reply["type"] == "error"
    assert detail in reply["detail"]

    # still open, still live, resume still exact
    await comm.send_json_to({"type": "ping"})
    assert (await next_event(comm))["type"] == "pong"
    created = await post(thread=thread, author=author, body="after the bad frame")
    assert (await next_event(comm))["id"] == created.pk
    await comm.send_json_to({"type": "resume", "after_seq": 0})
    assert await here(thread, 2) == 2

    await comm.disconnect()
    await other.disconnect()
    assert await here(thread, 0) == 0


async def test_a_failing_handler_closes_with_1011_and_leaves_presence_true():
    """A message the consumer cannot handle (here: a group message of an unknown type)
    closes the socket with 1011 after `disconnect` ran: nobody is counted who left."""
    world = await setup_world()
    thread = world["thread"]
    path = f"/ws/threads/{thread.pk}/"
    comm = await connect_ok(path, token=world["tokens"][world["author"]])
    other = await connect_ok(path, token=world["tokens"][world["reader"]])
    assert await here(thread, 2) == 2

    await get_channel_layer().group_send(thread_group(thread.pk), {"type": "no.such"})
    for socket in (comm, other):
        closed = None
        while closed is None:
            message = await socket.receive_output(timeout=3)
            if message["type"] == "websocket.close":
                closed = message
        assert closed["code"] == 1011
    assert await here(thread, 0) == 0
