from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import (
    Appeal,
    Comment,
    LiveSession,
    Mention,
    ModerationAction,
    ThreadEvent,
)
from deliberation.discussions.services import hide_comment, post_comment
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_member_opens_thread_in_own_unit_and_lists_it(api, tree):
    resp = api.post(
        "/api/v1/threads/", {"title": "Bike lanes", "unit": tree["branch"].pk}
    )
    assert resp.status_code == 201, resp.json()
    tid = resp.json()["id"]
    listed = api.get(f"/api/v1/threads/?unit={tree['branch'].pk}").json()
    assert set(listed) == {"count", "next", "previous", "results"}
    assert [t["id"] for t in listed["results"]] == [tid]
    assert api.get(f"/api/v1/threads/{tid}/").json()["title"] == "Bike lanes"


def test_outsider_cannot_open_thread_in_another_branch(api_for, outsider, tree):
    resp = api_for(outsider).post(
        "/api/v1/threads/", {"title": "x", "unit": tree["branch"].pk}
    )
    assert resp.status_code == 403
    assert "detail" in resp.json()


def test_thread_needs_title_and_unit(api):
    resp = api.post("/api/v1/threads/", {})
    assert resp.status_code == 400
    assert set(resp.json()) >= {"title", "unit"}


def test_post_comment_returns_contract_fields(api, thread, member):
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "Yes, *please*", "stance": "for", "parent": None},
    )
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert {
        "id",
        "body_html",
        "stance",
        "author",
        "parent",
        "seq",
        "body",
        "created",
        "edited",
        "deleted",
        "hidden",
        "reactions",
    } <= set(data)
    assert data["body_html"] == "<p>Yes, <em>please</em></p>\n"
    assert data["stance"] == "for"
    assert data["parent"] is None
    assert data["author"]["id"] == member.pk
    assert data["seq"] == 1


def test_reply_nests_under_parent(api, thread, comment):
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "Why?", "stance": "question", "parent": comment.pk},
    )
    assert resp.status_code == 201
    reply = Comment.objects.get(pk=resp.json()["id"])
    assert reply.parent_id == comment.pk
    assert reply.root_id == comment.pk
    assert reply.depth == 1


def test_reply_to_comment_of_another_thread_is_400(api, thread, tree, other_member):
    from deliberation.discussions.services import create_thread

    other = create_thread(title="other", unit=tree["branch"])
    foreign = post_comment(thread=other, author=other_member, body="elsewhere")
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/", {"body": "x", "parent": foreign.pk}
    )
    assert resp.status_code == 400


def test_markdown_is_sanitised(api, thread):
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {
            "body": "<script>alert(1)</script> [x](javascript:alert(1)) "
            "[ok](https://example.org)",
            "stance": "neutral",
        },
    )
    html = resp.json()["body_html"]
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html
    assert "nofollow" in html


def test_bad_stance_and_empty_and_too_long_are_400(api, thread, settings):
    url = f"/api/v1/threads/{thread.pk}/comments/"
    assert api.post(url, {"body": "x", "stance": "maybe"}).status_code == 400
    assert api.post(url, {"body": "   "}).status_code == 400
    resp = api.post(url, {"body": "x" * 10_001})
    assert resp.status_code == 400
    assert "10000" in resp.json()["detail"]


def test_outsider_reads_but_cannot_post(api_for, outsider, thread, comment):
    client = api_for(outsider)
    assert client.get(f"/api/v1/threads/{thread.pk}/comments/").status_code == 200
    resp = client.post(f"/api/v1/threads/{thread.pk}/comments/", {"body": "hi"})
    assert resp.status_code == 403


def test_anonymous_cannot_read(anon_client, thread):
    assert anon_client.get(f"/api/v1/threads/{thread.pk}/comments/").status_code == 401


def _next_minute():
    """The start of the next wall-clock minute (a rate window starts there)."""
    return (timezone.now() + timedelta(minutes=1)).replace(second=0, microsecond=0)


@override_settings(COMMENT_RATE=3, COMMENT_RATE_WINDOW=60)
def test_posting_too_fast_is_429_with_clear_message(api, thread):
    """The clock is frozen at the start of a window, so the test means the same
    whenever it runs (the window is a fixed wall-clock minute)."""
    url = f"/api/v1/threads/{thread.pk}/comments/"
    with time_machine.travel(_next_minute(), tick=False) as t:
        for i in range(3):
            assert api.post(url, {"body": f"c{i}"}).status_code == 201
        t.shift(50)
        resp = api.post(url, {"body": "one too many"})
        assert resp.status_code == 429
        assert "too fast" in resp.json()["detail"]
        assert resp.headers["Retry-After"] == "11"
        t.shift(10)  # the next window
        assert api.post(url, {"body": "later"}).status_code == 201
    assert Comment.objects.filter(thread=thread).count() == 4


def test_mentions_are_stored_and_marked(api, thread, other_member):
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": f"What do you think, @{other_member.username}? @nobody"},
    )
    assert Mention.objects.filter(
        comment_id=resp.json()["id"], member=other_member
    ).exists()
    assert (
        f'<strong class="mention">@{other_member.username}</strong>'
        in resp.json()["body_html"]
    )
    assert "@nobody" in resp.json()["body_html"]


def test_edit_keeps_history(api, thread, member):
    c = post_comment(thread=thread, author=member, body="first")
    resp = api.patch(
        f"/api/v1/comments/{c.pk}/", {"body": "second", "stance": "against"}
    )
    assert resp.status_code == 200
    assert resp.json()["body"] == "second"
    assert resp.json()["edited"]
    history = api.get(f"/api/v1/comments/{c.pk}/history/").json()["history"]
    assert [h["body"] for h in history] == ["first"]
    assert ThreadEvent.objects.filter(thread=thread, type="comment.edited").count() == 1


def test_only_author_edits_or_deletes(api_for, other_member, thread, member):
    c = post_comment(thread=thread, author=member, body="mine")
    client = api_for(other_member)
    assert client.patch(f"/api/v1/comments/{c.pk}/", {"body": "hax"}).status_code == 403
    assert client.delete(f"/api/v1/comments/{c.pk}/").status_code == 403


def test_delete_removes_text_but_keeps_place(api, thread, member, other_member):
    c = post_comment(thread=thread, author=member, body="regret")
    post_comment(thread=thread, author=other_member, body="reply", parent=c)
    assert api.delete(f"/api/v1/comments/{c.pk}/").status_code == 204
    assert (
        api.delete(f"/api/v1/comments/{c.pk}/").status_code == 204
    )  # twice: no change
    data = api.get(f"/api/v1/comments/{c.pk}/").json()
    assert data["deleted"] is True
    assert data["body"] == ""
    assert data["body_html"] == ""
    listed = api.get(f"/api/v1/threads/{thread.pk}/comments/").json()
    assert listed["count"] == 2
    assert (
        ThreadEvent.objects.filter(thread=thread, type="comment.deleted").count() == 1
    )


def test_reactions_set_once_and_remove(api, comment):
    url = f"/api/v1/comments/{comment.pk}/reactions/"
    r1 = api.post(url, {"kind": "agree"})
    assert r1.status_code == 201
    assert r1.json()["reactions"]["agree"] == 1
    r2 = api.post(url, {"kind": "agree"})
    assert r2.status_code == 200
    assert r2.json()["reactions"]["agree"] == 1
    assert api.post(url, {"kind": "love"}).status_code == 400
    r3 = api.delete(url, {"kind": "agree"})
    assert r3.status_code == 200
    assert r3.json()["reactions"]["agree"] == 0
    types = list(
        ThreadEvent.objects.filter(thread=comment.thread).values_list("type", flat=True)
    )
    assert types == ["comment.created", "reaction.changed", "reaction.changed"]


def test_arguments_view_side_by_side_strongest_first(
    api, api_for, thread, member, tree
):
    weak = post_comment(thread=thread, author=member, body="weak for", stance="for")
    strong = post_comment(thread=thread, author=member, body="strong for", stance="for")
    against = post_comment(
        thread=thread, author=member, body="against", stance="against"
    )
    post_comment(thread=thread, author=member, body="q", stance="question")
    for _ in range(2):
        api_for(MemberFactory(units=[tree["branch"]])).post(
            f"/api/v1/comments/{strong.pk}/reactions/", {"kind": "like"}
        )
    data = api.get(f"/api/v1/threads/{thread.pk}/comments/?view=arguments").json()
    assert [c["id"] for c in data["for"]] == [strong.pk, weak.pk]
    assert [c["id"] for c in data["against"]] == [against.pk]
    assert api.get(f"/api/v1/threads/{thread.pk}/arguments/").json() == data


def test_flag_once(api, comment):
    url = f"/api/v1/comments/{comment.pk}/flags/"
    assert api.post(url, {"reason": "insulting"}).status_code == 201
    assert api.post(url, {"reason": "again"}).status_code == 409
    assert api.post(f"/api/v1/comments/{comment.pk}/flags/", {}).status_code == 400


def test_appeal_of_a_comment_hidden_without_a_moderation_record_is_a_409(
    api_for, comment, other_member
):
    # Given a comment hidden outside the services (a data fix: no moderation record)
    Comment.objects.filter(pk=comment.pk).update(hidden=True, hidden_reason="x")
    # When its author appeals
    resp = api_for(other_member).post(
        f"/api/v1/comments/{comment.pk}/appeal/", {"reason": "Why?"}
    )
    # Then a clear conflict, not a 500, and no appeal
    assert resp.status_code == 409
    assert resp.json()["code"] == "no_moderation_record"
    assert not Appeal.objects.filter(comment=comment).exists()


def test_hide_restore_appeal_flow(
    api_for, comment, other_member, moderator, moderator2, member
):
    mod = api_for(moderator)
    assert (
        api_for(member)
        .post(f"/api/v1/comments/{comment.pk}/hide/", {"reason": "x"})
        .status_code
        == 403
    )
    resp = mod.post(
        f"/api/v1/comments/{comment.pk}/hide/", {"reason": "Personal attack"}
    )
    assert resp.status_code == 200
    assert resp.json()["kind"] == "hide"
    # others see a placeholder, the author and moderators the text
    assert api_for(member).get(f"/api/v1/comments/{comment.pk}/").json()["body"] == ""
    assert api_for(other_member).get(f"/api/v1/comments/{comment.pk}/").json()["body"]
    assert mod.get(f"/api/v1/comments/{comment.pk}/").json()["body"]
    log = api_for(member).get("/api/v1/moderation-log/").json()
    assert log["results"][0]["reason"] == "Personal attack"
    assert AuditEntry.objects.filter(
        action="comment.hide", target_id=str(comment.pk)
    ).exists()
    # appeal once
    author = api_for(other_member)
    appeal = author.post(
        f"/api/v1/comments/{comment.pk}/appeal/", {"reason": "Was a joke"}
    )
    assert appeal.status_code == 201
    assert (
        author.post(
            f"/api/v1/comments/{comment.pk}/appeal/", {"reason": "again"}
        ).status_code
        == 409
    )
    aid = appeal.json()["id"]
    # the moderator who hid cannot decide
    assert (
        mod.post(
            f"/api/v1/appeals/{aid}/decide/", {"outcome": "granted", "reason": "x"}
        ).status_code
        == 403
    )
    # one spelling only: the old aliases ("approve", "restore", …) are refused
    for other in ({"outcome": "approve"}, {"decision": "granted"}, {}):
        refused = api_for(moderator2).post(
            f"/api/v1/appeals/{aid}/decide/", {**other, "reason": "Fair enough"}
        )
        assert refused.status_code == 400
        assert "outcome" in refused.json()
    resp = api_for(moderator2).post(
        f"/api/v1/appeals/{aid}/decide/",
        {"outcome": "granted", "reason": "Fair enough"},
    )
    assert resp.status_code == 200
    assert resp.json()["outcome"] == "granted"
    assert (
        api_for(member).get(f"/api/v1/comments/{comment.pk}/").json()["hidden"] is False
    )
    kinds = list(
        ModerationAction.objects.filter(comment=comment).values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["appeal_granted", "hide"]
    assert (
        api_for(moderator2)
        .post(f"/api/v1/appeals/{aid}/decide/", {"outcome": "upheld", "reason": "x"})
        .status_code
        == 409
    )


def test_moderator_restores_with_reason(api_for, comment, moderator):
    hide_comment(comment=comment, moderator=moderator, reason="oops")
    resp = api_for(moderator).post(
        f"/api/v1/comments/{comment.pk}/restore/", {"reason": "mistake"}
    )
    assert resp.status_code == 200
    assert (
        api_for(moderator)
        .post(f"/api/v1/comments/{comment.pk}/restore/", {"reason": "again"})
        .status_code
        == 409
    )


def test_moderation_log_is_public_and_paginated(anon_client, comment, moderator):
    hide_comment(comment=comment, moderator=moderator, reason="spam")
    data = anon_client.get("/api/v1/moderation-log/").json()
    assert data["count"] == 1
    assert data["results"][0]["kind"] == "hide"


def test_facilitator_schedules_and_closes_session(api_for, facilitator, member, tree):
    starts = timezone.now() - timedelta(minutes=5)
    payload = {
        "unit": tree["branch"].pk,
        "title": "Budget evening",
        "agenda": "1. Budget",
        "starts": starts.isoformat(),
        "ends": (starts + timedelta(hours=1)).isoformat(),
    }
    assert api_for(member).post("/api/v1/live-sessions/", payload).status_code == 403
    resp = api_for(facilitator).post("/api/v1/live-sessions/", payload)
    assert resp.status_code == 201, resp.json()
    sid = resp.json()["id"]
    assert resp.json()["live"] is True
    assert resp.json()["thread"]
    listed = (
        api_for(member).get(f"/api/v1/live-sessions/?unit={tree['branch'].pk}").json()
    )
    assert [s["id"] for s in listed["results"]] == [sid]
    assert (
        api_for(facilitator).post(f"/api/v1/live-sessions/{sid}/close/", {}).status_code
        == 400
    )
    resp = api_for(facilitator).post(
        f"/api/v1/live-sessions/{sid}/close/",
        {"minutes": "We agreed on **more trees**."},
    )
    assert resp.status_code == 200
    assert "<strong>more trees</strong>" in resp.json()["minutes_html"]
    assert LiveSession.objects.get(pk=sid).closed is not None
    assert AuditEntry.objects.filter(action="live_session.close").exists()


def test_session_end_before_start_is_400(api_for, facilitator, tree):
    now = timezone.now()
    resp = api_for(facilitator).post(
        "/api/v1/live-sessions/",
        {
            "unit": tree["branch"].pk,
            "title": "x",
            "starts": now.isoformat(),
            "ends": (now - timedelta(hours=1)).isoformat(),
        },
    )
    assert resp.status_code == 400


def test_comments_list_has_fixed_query_count(
    api, thread, member, other_member, django_assert_num_queries
):
    for i in range(5):
        post_comment(
            thread=thread, author=other_member, body=f"c{i}", enforce_rate=False
        )
    url = f"/api/v1/threads/{thread.pk}/comments/"
    api.get(url)
    # token and member, thread, memberships, count, comments, the viewer's reactions
    # (roles only when a comment of another is hidden on the page)
    with django_assert_num_queries(6) as few:
        api.get(url)
    for i in range(40):
        c = post_comment(thread=thread, author=member, body=f"d{i}", enforce_rate=False)
        if i % 5 == 0:
            post_comment(
                thread=thread,
                author=other_member,
                body="r",
                parent=c,
                enforce_rate=False,
            )
    with django_assert_num_queries(len(few.captured_queries)):
        data = api.get(url).json()
    assert data["count"] == 53


def test_session_accepts_starts_at_and_defaults_title(api_for, facilitator, tree):
    starts = timezone.now() + timedelta(days=1)
    resp = api_for(facilitator).post(
        "/api/v1/live-sessions/",
        {
            "unit": tree["branch"].pk,
            "starts_at": starts.isoformat(),
            "agenda": "Budget 2027\nAnything else",
        },
    )
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert data["title"] == "Budget 2027"
    assert data["live"] is False
    assert data["ends"]  # one hour by default


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_thread_list_and_moderation_log_have_fixed_query_counts(
    api, tree, member, moderator
):
    """Each round adds a thread with a hidden comment and a live session (running now,
    in its own thread, with its own facilitator), so an N+1 on any of them shows."""
    from deliberation.discussions.services import (
        create_thread,
        schedule_live_session,
    )
    from tests.factories import give_role

    now = timezone.now()

    def grow(n):
        for i in range(n):
            t = create_thread(title=f"t{i}", unit=tree["branch"], actor=member)
            c = post_comment(thread=t, author=member, body="x", enforce_rate=False)
            hide_comment(comment=c, moderator=moderator, reason="r")
            facilitator = MemberFactory(units=[tree["branch"]])
            give_role(facilitator, tree["branch"], "facilitator")
            schedule_live_session(
                unit=tree["branch"],
                facilitator=facilitator,
                title=f"s{i}",
                starts=now,
                ends=now + timedelta(hours=1),
                agenda="Budget\n\nAnything else",
            )

    urls = ["/api/v1/threads/", "/api/v1/moderation-log/", "/api/v1/live-sessions/"]
    grow(2)
    api.get("/api/v1/threads/")
    few = {url: _count_queries(api, url) for url in urls}
    grow(12)
    many = {url: _count_queries(api, url) for url in urls}
    assert many == few
    sessions = api.get("/api/v1/live-sessions/?page_size=50").json()
    assert sessions["count"] == 14
    assert len({s["facilitator"]["id"] for s in sessions["results"]}) == 14
    threads = api.get("/api/v1/threads/?page_size=50").json()["results"]
    assert sum(t["live_now"] for t in threads) == 14


def test_moderation_page_has_fixed_query_count(client, tree, member, moderator):
    from deliberation.discussions.services import create_thread

    def grow(n):
        for i in range(n):
            t = create_thread(title=f"t{i}", unit=tree["branch"], actor=member)
            c = post_comment(thread=t, author=member, body="x", enforce_rate=False)
            hide_comment(comment=c, moderator=moderator, reason="r")

    grow(2)
    client.force_login(moderator)
    client.get("/moderation/")
    few = _count_queries(client, "/moderation/")
    grow(15)
    assert _count_queries(client, "/moderation/") == few


def test_moderators_see_open_flags_until_they_act(api_for, comment, member, moderator):
    api_for(member).post(f"/api/v1/comments/{comment.pk}/flags/", {"reason": "spam"})
    assert api_for(member).get("/api/v1/flags/").json()["count"] == 0  # not a moderator
    flags = api_for(moderator).get("/api/v1/flags/").json()
    assert flags["count"] == 1
    assert flags["results"][0]["comment"] == comment.pk
    assert flags["results"][0]["flagged_by"]["id"] == member.pk
    api_for(moderator).post(f"/api/v1/comments/{comment.pk}/hide/", {"reason": "spam"})
    assert api_for(moderator).get("/api/v1/flags/").json()["count"] == 0


def test_threads_show_when_a_session_is_live(api_for, facilitator, member, tree):
    now = timezone.now()
    resp = api_for(facilitator).post(
        "/api/v1/live-sessions/",
        {
            "unit": tree["branch"].pk,
            "title": "Now",
            "starts": now.isoformat(),
            "ends": (now + timedelta(hours=1)).isoformat(),
        },
    )
    tid = resp.json()["thread"]
    listed = api_for(member).get(f"/api/v1/threads/?unit={tree['branch'].pk}").json()
    assert [(t["id"], t["live_now"]) for t in listed["results"]] == [(tid, True)]
    assert api_for(member).get(f"/api/v1/threads/{tid}/").json()["live_now"] is True


def test_comment_payload_is_what_drf_would_build(
    thread, member, other_member, moderator
):
    """CommentSerializer builds its dict by hand (speed); it must stay DRF's own."""
    from rest_framework import serializers

    from deliberation.discussions import selectors
    from deliberation.discussions.api.serializers import CommentSerializer
    from deliberation.discussions.services import (
        delete_comment,
        edit_comment,
        hide_comment,
        toggle_reaction,
    )

    root = post_comment(thread=thread, author=member, body="**root**", stance="for")
    reply = post_comment(thread=thread, author=other_member, body="re", parent=root)
    edit_comment(comment=reply, actor=other_member, body="re, edited")
    hidden = post_comment(thread=thread, author=other_member, body="shh")
    hide_comment(comment=hidden, moderator=moderator, reason="<rude>")
    gone = post_comment(thread=thread, author=member, body="gone")
    delete_comment(comment=gone, actor=member)
    toggle_reaction(comment=root, member=other_member, kind="agree")
    toggle_reaction(comment=reply, member=member, kind="like")
    comments = list(selectors.comments_of(thread.pk))
    for fresh in (True, False):
        for viewer in (member, other_member, moderator):
            if fresh:  # without present_comments: the stored comment's rule
                comments = list(selectors.comments_of(thread.pk))
            else:
                selectors.present_comments(comments, viewer, thread)
            reacted = selectors.my_reactions(viewer, [c.pk for c in comments])
            s = CommentSerializer(context={"reacted": reacted})
            for c in comments:
                assert s.to_representation(c) == (
                    serializers.ModelSerializer.to_representation(s, c)
                )
