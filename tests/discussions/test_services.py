import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from deliberation.discussions import services
from deliberation.discussions.models import (
    Appeal,
    Comment,
    CommentRevision,
    Mention,
    Reaction,
    Thread,
    ThreadEvent,
)
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.realtime.events import thread_group
from tests.factories import MemberFactory
from tests.realtime import GroupListener

pytestmark = pytest.mark.django_db


def test_events_are_published_only_after_commit(
    thread, member, django_capture_on_commit_callbacks
):
    with GroupListener(thread_group(thread.pk)) as listener:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            comment = services.post_comment(thread=thread, author=member, body="hello")
            assert listener.nothing()  # written, not yet committed: nothing sent
        assert len(callbacks) == 1  # one publish, run at commit
        event = listener.next()
        assert (event["type"], event["id"]) == ("comment.created", comment.pk)
        assert event["seq"] == comment.seq
        assert event["data"]["body_html"] == "<p>hello</p>\n"
        assert listener.nothing()  # and only once


def test_a_rolled_back_comment_leaves_no_event(
    thread, member, django_capture_on_commit_callbacks
):
    def post_then_fail():
        with transaction.atomic():
            services.post_comment(thread=thread, author=member, body="oops")
            raise RuntimeError

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        post_then_fail()
    assert callbacks == []
    assert not ThreadEvent.objects.filter(thread=thread).exists()
    thread.refresh_from_db()
    assert thread.last_seq == 0


def test_event_messages_round_trip_through_json(thread, member):
    import json

    c = services.post_comment(thread=thread, author=member, body="x", stance="question")
    message = ThreadEvent.objects.get(thread=thread).as_message()
    assert json.loads(json.dumps(message)) == message
    assert message["type"] == "comment.created"
    assert message["id"] == c.pk
    assert message["data"]["stance"] == "question"


def test_seq_is_per_thread_and_stored_on_the_comment(tree, member):
    a = services.create_thread(title="a", unit=tree["branch"])
    b = services.create_thread(title="b", unit=tree["branch"])
    c1 = services.post_comment(thread=a, author=member, body="1")
    c2 = services.post_comment(thread=b, author=member, body="1")
    c3 = services.post_comment(thread=a, author=member, body="2")
    assert (c1.seq, c2.seq, c3.seq) == (1, 1, 2)
    assert Comment.objects.get(pk=c3.pk).seq == 2
    assert Thread.objects.get(pk=a.pk).comment_count == 2


def test_edit_keeps_revisions_and_adds_new_mentions(thread, member, other_member):
    c = services.post_comment(thread=thread, author=member, body="first")
    services.edit_comment(
        comment=c, actor=member, body=f"second @{other_member.username}"
    )
    services.edit_comment(comment=c, actor=member, body="third", stance="against")
    assert list(
        CommentRevision.objects.filter(comment=c).values_list("body", flat=True)
    ) == ["first", f"second @{other_member.username}"]
    assert Mention.objects.filter(comment=c, member=other_member).exists()
    c.refresh_from_db()
    assert c.stance == "against"
    assert c.edited is not None


def test_unchanged_edit_writes_nothing(thread, member):
    c = services.post_comment(thread=thread, author=member, body="same")
    services.edit_comment(comment=c, actor=member, body="same")
    assert not CommentRevision.objects.exists()
    assert ThreadEvent.objects.filter(type="comment.edited").count() == 0


def test_delete_wipes_text_history_and_mentions(thread, member, other_member):
    c = services.post_comment(
        thread=thread, author=member, body=f"hi @{other_member.username}"
    )
    services.edit_comment(comment=c, actor=member, body="changed")
    services.delete_comment(comment=c, actor=member)
    c.refresh_from_db()
    assert c.body == ""
    assert c.body_html == ""
    assert c.deleted is not None
    assert not CommentRevision.objects.filter(comment=c).exists()
    assert not Mention.objects.filter(comment=c).exists()
    with pytest.raises(Conflict):
        services.edit_comment(comment=c, actor=member, body="back")


def test_self_mention_and_unknown_names_are_not_stored(thread, member):
    c = services.post_comment(
        thread=thread,
        author=member,
        body=f"me @{member.username} and @ghost, mail a@b.se",
    )
    assert not Mention.objects.filter(comment=c).exists()


def test_reaction_unique_in_the_database(comment, member):
    Reaction.objects.create(comment=comment, member=member, kind="like")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(comment=comment, member=member, kind="like")


def test_cannot_react_to_hidden_comment(comment, member, moderator):
    services.hide_comment(comment=comment, moderator=moderator, reason="x")
    with pytest.raises(Conflict):
        services.add_reaction(comment=comment, member=member, kind="like")


def test_hidden_comment_cannot_be_edited_but_can_be_appealed(
    comment, other_member, moderator
):
    services.hide_comment(comment=comment, moderator=moderator, reason="x")
    with pytest.raises(Conflict):
        services.edit_comment(comment=comment, actor=other_member, body="sneaky")
    services.appeal_hiding(comment=comment, author=other_member, reason="please")
    with pytest.raises(Conflict):
        services.appeal_hiding(comment=comment, author=other_member, reason="again")


def test_only_author_appeals_and_only_hidden(comment, member, other_member, moderator):
    with pytest.raises(Conflict):
        services.appeal_hiding(comment=comment, author=other_member, reason="x")
    services.hide_comment(comment=comment, moderator=moderator, reason="x")
    with pytest.raises(NotAllowed):
        services.appeal_hiding(comment=comment, author=member, reason="x")


def test_appeal_decided_by_the_hider_is_refused_by_the_database(
    comment, other_member, moderator
):
    services.hide_comment(comment=comment, moderator=moderator, reason="x")
    appeal = services.appeal_hiding(comment=comment, author=other_member, reason="y")
    with pytest.raises(NotAllowed):
        services.decide_appeal(
            appeal=appeal, moderator=moderator, outcome="granted", reason="z"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(decided_by=moderator)


def test_upheld_appeal_keeps_comment_hidden(
    comment, other_member, moderator, moderator2
):
    services.hide_comment(comment=comment, moderator=moderator, reason="x")
    appeal = services.appeal_hiding(comment=comment, author=other_member, reason="y")
    services.decide_appeal(
        appeal=appeal, moderator=moderator2, outcome="upheld", reason="It was an insult"
    )
    comment.refresh_from_db()
    assert comment.hidden is True


def test_moderator_of_another_district_cannot_hide(comment, tree):
    from deliberation.members.services import create_unit
    from tests.factories import give_role

    other_district = create_unit(
        name="Other", code="other-d", kind="district", parent=tree["national"]
    )
    m = MemberFactory(units=[tree["branch"]])
    give_role(m, other_district, "moderator")
    with pytest.raises(NotAllowed):
        services.hide_comment(comment=comment, moderator=m, reason="x")


def test_reason_is_required(comment, moderator):
    with pytest.raises(ServiceError):
        services.hide_comment(comment=comment, moderator=moderator, reason="  ")


def _next_minute():
    """The start of the next wall-clock minute (a rate window starts there)."""
    return (timezone.now() + timedelta(minutes=1)).replace(second=0, microsecond=0)


@override_settings(COMMENT_RATE="2/min", COMMENT_RATE_WINDOW=1)
def test_rate_accepts_rate_strings(thread, member):
    """ "2/min" means two per minute whatever COMMENT_RATE_WINDOW says; the clock is
    frozen at the start of a minute so the test means the same whenever it runs."""
    with time_machine.travel(_next_minute(), tick=False) as t:
        for i in range(2):
            services.post_comment(thread=thread, author=member, body=str(i))
        t.shift(30)
        with pytest.raises(services.RateLimited) as exc:
            services.post_comment(thread=thread, author=member, body="3")
        assert exc.value.wait == 31
        t.shift(30)  # the next minute
        services.post_comment(thread=thread, author=member, body="4")


def test_a_session_without_end_or_title_takes_the_defaults(tree, facilitator):
    starts = timezone.now() + timedelta(days=1)
    session = services.schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        starts=starts,
        agenda="  Budget 2027\nAnything else",
    )
    assert session.title == "Budget 2027"
    assert session.ends == starts + timedelta(minutes=60)
    longer = services.schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        starts=starts,
        duration_minutes=90,
    )
    assert longer.title == "Live session"
    assert longer.ends == starts + timedelta(minutes=90)


def test_session_rules(tree, facilitator, member):
    now = timezone.now()
    with pytest.raises(NotAllowed):
        services.schedule_live_session(
            unit=tree["branch"],
            facilitator=member,
            title="x",
            starts=now,
            ends=now + timedelta(hours=1),
        )
    with pytest.raises(NotAllowed):  # a facilitator of another branch
        services.schedule_live_session(
            unit=tree["branch2"],
            facilitator=facilitator,
            title="x",
            starts=now,
            ends=now + timedelta(hours=1),
        )
    with pytest.raises(ServiceError):
        services.schedule_live_session(
            unit=tree["branch"],
            facilitator=facilitator,
            title="x",
            starts=now - timedelta(hours=3),
            ends=now - timedelta(hours=2),
        )
    s = services.schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="x",
        starts=now,
        ends=now + timedelta(hours=1),
    )
    services.close_live_session(session=s, actor=facilitator, minutes="done")
    with pytest.raises(Conflict):
        services.close_live_session(session=s, actor=facilitator, minutes="again")
    assert list(
        ThreadEvent.objects.filter(thread=s.thread).values_list("type", flat=True)
    ) == ["session.scheduled", "session.closed"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (real row locks)",
)
def test_concurrent_posts_get_unique_contiguous_seqs(tree):
    from django.db import connections

    writers = [MemberFactory(units=[tree["branch"]]) for _ in range(4)]
    thread = services.create_thread(title="race", unit=tree["branch"])
    errors = []

    def write(m):
        try:
            for i in range(5):
                services.post_comment(
                    thread=thread, author=m, body=f"{m.pk}-{i}", enforce_rate=False
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(m,)) for m in writers]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    seqs = sorted(
        ThreadEvent.objects.filter(thread=thread).values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 21))
    assert (
        sorted(Comment.objects.filter(thread=thread).values_list("seq", flat=True))
        == seqs
    )
    assert Thread.objects.get(pk=thread.pk).comment_count == 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (real row locks)",
)
def test_double_click_reaction_counts_once(tree):
    from django.db import connections

    author, fan = (MemberFactory(units=[tree["branch"]]) for _ in range(2))
    thread = services.create_thread(title="race", unit=tree["branch"])
    comment = services.post_comment(thread=thread, author=author, body="x")
    barrier = threading.Barrier(4)

    def click():
        barrier.wait()
        try:
            services.add_reaction(comment=comment, member=fan, kind="like")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=click) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    comment.refresh_from_db()
    assert Reaction.objects.filter(comment=comment).count() == 1
    assert comment.reaction_counts == {"like": 1}
    assert comment.reaction_total == 1


def test_a_started_session_is_announced_live_once(
    tree, facilitator, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from deliberation.discussions.models import ThreadEvent
    from deliberation.discussions.tasks import announce_live_sessions

    now = timezone.now()
    soon = services.schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="Årsmöte",
        starts=now + timedelta(minutes=5),
        ends=now + timedelta(hours=2),
    )
    assert services.announce_started_sessions(now=now) == 0
    later = now + timedelta(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announce_started_sessions(now=later) == 1
    assert services.announce_started_sessions(now=later) == 0  # once, even if re-run
    assert announce_live_sessions.delay().get() == 0
    events = ThreadEvent.objects.filter(thread=soon.thread, type="session.started")
    assert [e.object_id for e in events] == [str(soon.pk)]
    over = now + timedelta(hours=3)
    gone = services.schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="Kort möte",
        starts=now + timedelta(minutes=1),
        ends=now + timedelta(minutes=30),
    )
    assert (
        services.announce_started_sessions(now=over) == 0
    )  # ended unannounced: silent
    assert not ThreadEvent.objects.filter(
        thread=gone.thread, type="session.started"
    ).exists()
