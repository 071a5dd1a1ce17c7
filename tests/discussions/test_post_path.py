"""The comment POST's fast path (issue 14, "Speed"): the answer is built from what the
service holds (no re-reads), the rate limit is one Redis round trip, the event goes
out as one direct PUBLISH in channels_redis's pub/sub format, and the thread row is
taken last — without losing, doubling or reordering anything."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from deliberation.asgi import application
from deliberation.discussions.models import Comment, Thread, ThreadEvent
from deliberation.discussions.services import create_thread, post_comment, rate_limits
from deliberation.realtime.events import thread_group
from deliberation.realtime.redis_publish import SyncPublisher, publisher_for
from tests.conftest import client_for
from tests.factories import MemberFactory

needs_redis = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache),
    reason="the production profile's Redis (REDIS_URL)",
)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (real row locks)",
)


def _comments_url(thread) -> str:
    return f"/api/v1/threads/{thread.pk}/comments/"


@pytest.mark.parametrize("keyed", [False, True])
def test_the_post_answer_is_what_a_read_of_the_comment_answers(
    thread, member, other_member, keyed
):
    """The contract: the 201 body equals GET /api/v1/comments/{id}/ — for a root
    comment and for a reply with a mention (as the author reads it)."""
    api = client_for(member)
    headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if keyed else {}
    root = api.post(
        _comments_url(thread),
        {"body": "  Ett **bra** förslag  ", "stance": "for"},
        format="json",
        **headers,
    )
    assert root.status_code == 201, root.content
    assert root.json() == api.get(f"/api/v1/comments/{root.json()['id']}/").json()
    assert root.json()["body"] == "Ett **bra** förslag"
    assert root.json()["seq"] == 1

    reply = api.post(
        _comments_url(thread),
        {"body": f"Håller med @{other_member.username}", "parent": root.json()["id"]},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    got = api.get(f"/api/v1/comments/{reply.json()['id']}/").json()
    assert reply.json() == got
    assert got["parent"] == root.json()["id"]
    assert got["depth"] == 1
    assert got["seq"] == 2
    assert 'class="mention"' in got["body_html"]


def test_a_replayed_post_answers_the_first_comment_marked_as_replayed(thread, member):
    api = client_for(member)
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    body = {"body": "en gång", "stance": "question"}
    first = api.post(_comments_url(thread), body, format="json", **key)
    again = api.post(_comments_url(thread), body, format="json", **key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Comment.objects.filter(thread=thread).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_post_reads_nothing_back(tree, django_assert_num_queries):
    """Token, thread, memberships (with their units' paths); claim, comment,
    follow, thread row, seq, event, claim target in one transaction without
    savepoints — and nothing
    is read again after the writes (there were 16 statements, 4 savepoint commands
    and 3 re-reads)."""
    member = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="fast", unit=tree["branch"])
    api = client_for(member)
    api.post(_comments_url(thread), {"body": "warm"}, format="json")
    with django_assert_num_queries(12) as captured:
        resp = api.post(
            _comments_url(thread),
            {"body": "second"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    assert resp.status_code == 201
    sqls = [q["sql"].upper() for q in captured.captured_queries]
    assert sqls[-1] == "COMMIT"
    assert not any("SAVEPOINT" in s for s in sqls)
    first_write = next(
        i for i, s in enumerate(sqls) if 'INTO "DISCUSSIONS_COMMENT' in s
    )
    assert not any(s.startswith("SELECT") for s in sqls[first_write:])


@needs_redis
def test_the_rate_limit_is_one_redis_round_trip(thread, member, monkeypatch):
    calls = []
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    rate_limits.check_comment_rate(member)
    assert calls == ["EVAL"]
    # and the counter it keeps is the one Django's cache reads (an int, expiring)
    now = time.time()
    _limit, window = rate_limits.comment_rate()
    key = f"comment-rate:{member.pk}:{int(now // window)}"
    backend = caches["default"]
    assert backend.get(key) == 1
    full_key = backend.make_and_validate_key(key)
    assert (
        0
        < original(backend._cache.get_client(full_key), "TTL", full_key)
        <= (window + 5)
    )


@needs_redis
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_member_pass_the_limit_exactly(tree, settings):
    """8 posts at the same instant against a limit of 5: exactly 5 stored, 3 refused
    (the increment and the read are one step in Redis)."""
    settings.COMMENT_RATE = 5
    settings.COMMENT_RATE_WINDOW = 3600  # no window boundary during the test
    writer = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="rush", unit=tree["branch"])
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def post(i: int) -> None:
        barrier.wait()
        try:
            post_comment(thread=thread, author=writer, body=f"c{i}")
            outcomes.append("ok")
        except rate_limits.RateLimited:
            outcomes.append("limited")
        except Exception as exc:  # pragma: no cover - reported by the assert
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post, args=(i,)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(outcomes) == ["limited"] * 3 + ["ok"] * 5
    assert Comment.objects.filter(thread=thread).count() == 5


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_posts_lose_nothing_and_keep_seq_gapless(tree, settings):
    """8 members posting through the API at once, some with a double click (the same
    key twice): every comment once, seq 1..n without a gap, each comment's seq that
    of its event, the count and the event's count in step."""
    settings.COMMENT_RATE = 1000
    members = [MemberFactory(units=[tree["branch"]]) for _ in range(8)]
    thread = create_thread(title="rush", unit=tree["branch"])
    barrier = threading.Barrier(8)
    errors: list[str] = []

    def write(m) -> None:
        api = client_for(m)
        barrier.wait()
        try:
            for i in range(4):
                key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
                for _click in range(2 if i == 0 else 1):
                    resp = api.post(
                        _comments_url(thread),
                        {"body": f"{m.pk}-{i}"},
                        format="json",
                        **key,
                    )
                    if resp.status_code != 201:
                        errors.append(f"{resp.status_code} {resp.content[:200]!r}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(m,)) for m in members]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    comments = list(Comment.objects.filter(thread=thread))
    assert len(comments) == 32
    assert len({c.body for c in comments}) == 32
    events = list(ThreadEvent.objects.filter(thread=thread).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 33))
    by_comment = {int(e.object_id): e for e in events}
    assert all(by_comment[c.pk].seq == c.seq for c in comments)
    # the count each event carried is the count at its seq: posts took both at once
    assert [e.data["comment_count"] for e in events] == list(range(1, 33))
    fresh = Thread.objects.get(pk=thread.pk)
    assert (fresh.last_seq, fresh.comment_count) == (32, 32)


def test_other_layers_keep_group_send(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    try:
        assert publisher_for(get_channel_layer()) is None
    finally:
        channel_layers.backends.pop("default", None)


@needs_redis
def test_the_direct_publish_is_what_the_layer_delivers():
    """A message PUBLISHed by the sync publisher arrives through channels_redis's own
    subscriber exactly as `group_send` would deliver it."""
    layer = get_channel_layer()
    publisher = publisher_for(layer)
    assert isinstance(publisher, SyncPublisher)
    group = f"probe.{uuid.uuid4().hex}"
    message = {"type": "relay", "event": {"type": "x", "seq": 7, "data": {"ä": [1]}}}

    async def roundtrip():
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            await _published_later(publisher, group, message)
            return await layer.receive(channel)
        finally:
            await layer.group_discard(group, channel)
            await layer.flush()

    assert async_to_sync(roundtrip)() == message


async def _published_later(publisher, group, message) -> None:
    import asyncio

    await asyncio.sleep(0.05)  # the subscription is in place
    await asyncio.get_running_loop().run_in_executor(
        None, publisher.group_send, group, message
    )


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_watcher_gets_the_api_post_live_with_its_seq(tree):
    """Through the real ASGI app: a websocket on the thread receives the comment a
    member POSTs to the API (published directly, after commit) with its seq and
    count."""
    author = MemberFactory(units=[tree["branch"]])
    reader = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="live", unit=tree["branch"])
    token = Token.objects.get_or_create(user=reader)[0].key
    api = client_for(author)

    async def watch():
        import asyncio

        comm = WebsocketCommunicator(
            application, f"/ws/threads/{thread.pk}/?token={token}"
        )
        connected, _ = await comm.connect()
        assert connected
        await asyncio.sleep(0.1)
        resp = await asyncio.get_running_loop().run_in_executor(
            None, _post_and_close, api, thread
        )
        while True:
            msg = await comm.receive_json_from(timeout=10)
            if msg.get("type") == "comment.created":
                break
        await comm.disconnect()
        return resp, msg

    try:
        resp, event = async_to_sync(watch)()
    finally:
        connections.close_all()
    assert resp["id"] == event["id"]
    assert event["seq"] == resp["seq"] == 1
    assert event["data"]["comment_count"] == 1
    assert event["data"]["body_html"] == resp["body_html"]
    assert thread_group(thread.pk) == f"thread.{thread.pk}"


def _post_and_close(api, thread) -> dict:
    try:
        resp = api.post(_comments_url(thread), {"body": "live *nu*"}, format="json")
        assert resp.status_code == 201, resp.content
        return resp.json()
    finally:
        connections.close_all()
