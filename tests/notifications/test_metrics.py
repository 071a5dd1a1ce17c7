"""Notification lag on /metrics: a real reply, delivered and e-mailed through a real
SMTP server, adds one observation per stage, each no longer than it took."""

from __future__ import annotations

import time

import pytest

from deliberation.discussions.services import post_comment
from tests.metrics_scrape import scrape, value

pytestmark = pytest.mark.django_db

LAG = "torget_notification_lag_seconds"


def test_a_delivered_and_emailed_reply_is_observed(
    deliver, smtp_server, comment, other_member, client, settings
):
    before = scrape(client, settings)
    started = time.monotonic()
    deliver(
        post_comment,
        thread=comment.thread,
        author=other_member,
        body="Svar",
        parent=comment,
    )
    assert len(smtp_server.wait_for(1)) == 1
    took = time.monotonic() - started
    after = scrape(client, settings)
    for stage in ("delivered", "emailed"):
        labels = {"channel": "email", "stage": stage}
        count = value(after, f"{LAG}_count", **labels) - value(
            before, f"{LAG}_count", **labels
        )
        lag = value(after, f"{LAG}_sum", **labels) - value(
            before, f"{LAG}_sum", **labels
        )
        assert count == 1, stage
        assert 0 <= lag <= took + 1, (stage, lag, took)
    # the same chunk again (a redelivered task) creates nothing and observes nothing
    from deliberation.notifications import delivery
    from deliberation.notifications.models import Notification

    n = Notification.objects.get(recipient=comment.author)
    delivery.deliver_chunk(n.event_id, [comment.author_id])
    again = scrape(client, settings)
    assert value(again, f"{LAG}_count", channel="email", stage="delivered") == value(
        after, f"{LAG}_count", channel="email", stage="delivered"
    )
