"""E-mail through a real SMTP server (aiosmtpd): at once, in the member's language,
with a one-click unsubscribe; SMTP down → the request succeeds, the e-mail goes later;
digests grouped, leading with what needs action, sent once."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from deliberation.discussions.services import hide_comment, post_comment
from deliberation.notifications.models import Notification, NotificationPreference
from deliberation.notifications.preferences import set_channel
from deliberation.notifications.tasks import digest_tick, sweep
from tests.factories import MemberFactory, give_role
from tests.smtp import SMTPServer, free_port

pytestmark = pytest.mark.django_db


def _reply(deliver, comment, author, body="Svar"):
    return deliver(
        post_comment, thread=comment.thread, author=author, body=body, parent=comment
    )


def test_a_reply_by_email_in_swedish_with_unsubscribe(
    deliver, smtp_server, comment, member, other_member, client
):
    member.language = "sv"
    member.save()
    _reply(deliver, comment, other_member)
    [msg] = smtp_server.wait_for(1)
    assert msg["To"] == member.email
    assert "svarade dig" in str(make_header(decode_header(msg["Subject"])))
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = msg["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in url
    types = {p.get_content_type() for p in msg.walk()}
    assert {"text/plain", "text/html"} <= types
    assert "Sluta skicka" in SMTPServer.body(msg)
    n = Notification.objects.get(recipient=member)
    assert n.emailed is not None
    # one click (RFC 8058 POST, no session, no CSRF token): e-mail off for replies
    path = url.split("://", 1)[1].split("/", 1)[1]
    r = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    pref = NotificationPreference.objects.get(member=member, kind="reply")
    assert pref.channel == "in_app"
    _reply(deliver, comment, other_member, "Igen")
    assert len(smtp_server.wait_for(2, timeout=1)) == 1  # no more e-mail
    assert Notification.objects.filter(recipient=member).count() == 2  # still in-app


def test_unsubscribe_by_get_and_a_forged_token(client, member):
    from deliberation.notifications.mail import unsubscribe_token

    token = unsubscribe_token(member.pk, "mention")
    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 200
    assert NotificationPreference.objects.get(
        member=member, kind="mention"
    ).channel == ("in_app")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/notifications/unsubscribe/{forged}/").status_code == 400


def test_smtp_down_the_request_succeeds_and_the_email_goes_later(
    settings, api_for, comment, member, other_member, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(other_member).post(
            f"/api/v1/threads/{comment.thread_id}/comments/",
            {"body": "Svar", "parent": comment.pk},
            format="json",
        )
    assert r.status_code == 201
    n = Notification.objects.get(recipient=member)
    assert n.emailed is None  # in-app now; e-mail pending
    server = SMTPServer().start()
    try:
        settings.EMAIL_PORT = server.port
        Notification.objects.filter(pk=n.pk).update(
            created=timezone.now() - timedelta(minutes=10)
        )
        sweep.apply()
        sweep.apply()  # twice: still one e-mail
        assert len(server.wait_for(1)) == 1
        assert len(server.wait_for(2, timeout=0.5)) == 1
    finally:
        server.stop()


def test_daily_digest_grouped_once_and_read_rules(
    deliver, smtp_server, tree, comment, member, other_member
):
    set_channel(member, "reply", "daily")
    r1 = _reply(deliver, comment, other_member, "Ett")
    _reply(deliver, comment, other_member, "Två")
    assert smtp_server.wait_for(1, timeout=0.5) == []  # nothing at once
    # the first reply is hidden by a moderator before the digest: not in it
    moderator = MemberFactory(units=[tree["branch2"]])
    give_role(moderator, tree["district"], "moderator")
    hide_comment(comment=r1, moderator=moderator, reason="Off topic")
    Notification.objects.filter(recipient=member).update(
        created=timezone.now() - timedelta(days=2)
    )
    digest_tick.apply()
    digest_tick.apply()  # a second beat: nothing more
    [msg] = smtp_server.wait_for(1)
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1
    body = SMTPServer.body(msg)
    assert comment.thread.title in body  # grouped under the thread
    assert body.count("replied to you") == 1
    assert msg["List-Unsubscribe"]
    assert not Notification.objects.filter(recipient=member, emailed__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_broker_down_the_request_succeeds_and_the_sweeper_delivers(
    settings, api_for, tree
):
    from deliberation.celery import app
    from deliberation.discussions.services import create_thread
    from deliberation.notifications.models import NotificationEvent

    member = MemberFactory(units=[tree["branch"]])
    other = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="Broker nere", unit=tree["branch"], actor=member)
    comment = post_comment(thread=thread, author=member, body="Hej")
    old = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens
    app._pool = None
    try:
        started = timezone.now()
        r = api_for(other).post(
            f"/api/v1/threads/{thread.pk}/comments/",
            {"body": "Svar", "parent": comment.pk},
            format="json",
        )
        assert r.status_code == 201
        assert (timezone.now() - started).total_seconds() < 10
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old
        app._pool = None
    event = NotificationEvent.objects.get(kind="reply")
    assert event.delivered is None
    assert not Notification.objects.filter(recipient=member).exists()
    settings.NOTIFICATION_RETRY_AFTER = 0
    sweep.apply()  # the broker is back (eager here): the sweeper delivers it
    assert Notification.objects.filter(recipient=member, kind="reply").count() == 1
    event.refresh_from_db()
    assert event.delivered is not None
