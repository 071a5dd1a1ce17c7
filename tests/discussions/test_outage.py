"""A Redis outage must not stop members: with the cache and the channel layer on a
Redis of the test's own, that Redis is stopped — comments, reactions and supports
still succeed and are stored, the comment rate limit still holds (counted in
PostgreSQL), the outage is logged — and after Redis is back a socket's `resume` gets
every event, in order."""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from deliberation.asgi import application
from deliberation.discussions.models import Comment, ThreadEvent
from deliberation.discussions.services import create_thread
from proposals import services as proposal_services
from tests.conftest import client_for
from tests.redis_server import own_redis, redis_settings  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rate(settings):
    settings.COMMENT_RATE = 4
    settings.COMMENT_RATE_WINDOW = 60


def test_writes_succeed_while_redis_is_down_and_resume_is_exact(
    redis_settings,  # noqa: F811
    tree,
    member,
    other_member,
    caplog,
):
    redis = redis_settings
    thread = create_thread(title="Outage", unit=tree["branch"], actor=member)
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Vi vill.",
        clauses=["att partiet verkar för cykelbanor"],
        unit=tree["branch"],
        publish=True,
    )
    api, other = client_for(member), client_for(other_member)
    url = f"/api/v1/threads/{thread.pk}/comments/"

    # Given Redis answers, a comment is posted as always.
    first = api.post(url, {"body": "before", "stance": "for"}, format="json")
    assert first.status_code == 201, first.content

    # When Redis is down ...
    redis.stop()
    with caplog.at_level(logging.WARNING):
        during = [
            api.post(url, {"body": f"during {i}"}, format="json") for i in range(3)
        ]
        reaction = other.post(
            f"/api/v1/comments/{first.json()['id']}/reactions/",
            {"kind": "like"},
            format="json",
        )
        support = other.post(f"/api/v1/proposals/{proposal.pk}/support/")
        # ... the rate limit still holds, counted in the database: 4 in a minute.
        too_many = api.post(url, {"body": "one too many"}, format="json")

    # Then every write succeeded and is stored, and the outage was logged.
    assert [r.status_code for r in during] == [201, 201, 201], during[-1].content
    assert reaction.status_code in (200, 201), reaction.content
    assert support.status_code == 201, support.content
    assert too_many.status_code == 429
    assert "too fast" in too_many.json()["detail"]
    assert int(too_many.headers["Retry-After"]) > 0
    assert Comment.objects.filter(thread=thread).count() == 4
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "counted in the database" in logged
    assert "clients get it by resume" in logged

    # When Redis is back, a socket that resumes gets every event, in order.
    redis.start()
    token = Token.objects.get(user=other_member).key
    after = other.post(url, {"body": "after"}, format="json")
    assert after.status_code == 201, after.content
    stored = list(
        ThreadEvent.objects.filter(thread=thread)
        .order_by("seq")
        .values_list("seq", "type")
    )

    async def resume():
        comm = WebsocketCommunicator(
            application, f"/ws/threads/{thread.pk}/?token={token}"
        )
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "resume", "after_seq": 0})
        got = []
        while len(got) < len(stored):
            msg = await comm.receive_json_from(timeout=5)
            if "seq" in msg:
                got.append((msg["seq"], msg["type"]))
        await comm.disconnect()
        return got

    assert async_to_sync(resume)() == stored
    assert [t for _s, t in stored].count("comment.created") == 5
