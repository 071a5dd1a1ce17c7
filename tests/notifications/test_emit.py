"""The emit API: an event recorded in the transaction of the change, delivered after
commit, once per recipient, only to those who may read its subject."""

import pytest
from django.db import transaction

from deliberation.discussions.services import post_comment
from deliberation.notifications.emit import notify
from deliberation.notifications.models import Notification, NotificationEvent
from deliberation.notifications.tasks import deliver_chunk, deliver_event
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_reply_notifies_the_parent_author_once(
    deliver, comment, member, other_member
):
    reply = deliver(
        post_comment,
        thread=comment.thread,
        author=other_member,
        body="Håller med!",
        parent=comment,
    )
    notes = Notification.objects.filter(recipient=member)
    assert [(n.kind, n.event.subject_id) for n in notes] == [("reply", reply.pk)]
    assert not Notification.objects.filter(recipient=other_member).exists()
    # the task delivered twice (a redelivery after a crash): still one
    event = notes[0].event
    NotificationEvent.objects.filter(pk=event.pk).update(delivered=None)
    deliver_event.apply(args=[event.pk])
    deliver_chunk.apply(args=[event.pk, [member.pk]])
    assert Notification.objects.filter(recipient=member).count() == 1


def test_a_one_chunk_event_is_delivered_before_it_is_marked(
    comment, other_member, monkeypatch
):
    """A chunk task lost with the broker's queue (Redis restarted without
    persistence) after its event was marked delivered would lose the notification
    for good: an event of one chunk is delivered by its own task."""
    from deliberation.notifications import tasks

    lost: list = []
    monkeypatch.setattr(
        tasks.deliver_chunk, "apply_async", lambda **kw: lost.append(kw)
    )
    with transaction.atomic():
        notify(
            "mention",
            subject=comment,
            actor=comment.author,
            recipients=[other_member.pk],
            key=f"lost-chunk:{comment.pk}",
            data={"thread": comment.thread_id, "title": "x"},
        )
    event = NotificationEvent.objects.get(key=f"lost-chunk:{comment.pk}")
    deliver_event.apply(args=[event.pk])
    assert lost == []
    assert Notification.objects.filter(recipient=other_member, event=event).count() == 1
    event.refresh_from_db()
    assert event.delivered is not None


def test_emitting_the_same_key_twice_records_one_event(deliver, comment, other_member):
    def emit():
        for _ in range(2):
            notify(
                "mention",
                subject=comment,
                actor=comment.author,
                recipients=[other_member.pk],
                key=f"test:{comment.pk}",
                data={"thread": comment.thread_id, "title": "x"},
            )

    deliver(emit)
    assert NotificationEvent.objects.filter(key=f"test:{comment.pk}").count() == 1
    assert Notification.objects.filter(recipient=other_member).count() == 1


def test_a_rolled_back_change_notifies_nobody(deliver, comment, other_member):
    def fail():
        with transaction.atomic():
            post_comment(
                thread=comment.thread, author=other_member, body="x", parent=comment
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        deliver(fail)
    assert not NotificationEvent.objects.filter(kind="reply").exists()


def test_a_mention_in_a_draft_thread_reaches_nobody_outside(
    deliver, tree, member, other_member
):
    from proposals.services import create_proposal

    draft = create_proposal(
        actor=member,
        title="Hemligt utkast",
        body="Text",
        clauses=["att vi"],
        unit=tree["branch"],
        publish=False,
    )
    deliver(
        post_comment,
        thread=draft.thread,
        author=member,
        body=f"@{other_member.username} titta",
    )
    # and emitted straight at them (a bug elsewhere), the read rule still stops it
    c = draft.thread.comments.get()
    deliver(
        notify,
        "mention",
        subject=c,
        actor=member,
        recipients=[other_member.pk],
        key="draft-leak",
        data={"thread": draft.thread.pk, "title": draft.title},
    )
    assert not Notification.objects.filter(recipient=other_member).exists()
    # its author may read it: the same event reaches them
    deliver(
        notify,
        "mention",
        subject=c,
        actor=other_member,
        recipients=[member.pk, other_member.pk],
        key="draft-author",
        data={"thread": draft.thread.pk, "title": draft.title},
    )
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [
        member.pk
    ]


def test_the_actor_and_inactive_members_get_nothing(deliver, comment, tree):
    gone = MemberFactory(units=[tree["branch"]], is_active=False)
    deliver(
        notify,
        "mention",
        subject=comment,
        actor=comment.author,
        recipients=[comment.author_id, gone.pk],
        key="self",
        data={"thread": comment.thread_id, "title": "x"},
    )
    assert not Notification.objects.exists()
