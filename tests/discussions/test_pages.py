import re
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.discussions.models import Appeal, Comment, LiveSession, Reaction
from deliberation.discussions.services import (
    appeal_hiding,
    hide_comment,
    post_comment,
    schedule_live_session,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_thread_page_reads_and_posts_without_js(client, member, thread, comment):
    client.force_login(member)
    resp = client.get(f"/threads/{thread.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "I am <strong>for</strong> it." in html
    assert "data-thread-live" in html
    assert "live.js" in html
    resp = client.post(
        f"/threads/{thread.pk}/comments/",
        {"body": "A *reply*", "stance": "against", "parent": comment.pk},
    )
    assert resp.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert resp["Location"].endswith(f"#c-{reply.pk}")
    page = client.get(resp["Location"]).content.decode()
    assert "A <em>reply</em>" in page


def test_thread_page_requires_sign_in(client, thread):
    resp = client.get(f"/threads/{thread.pk}/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_empty_comment_rerenders_with_error(client, member, thread):
    client.force_login(member)
    resp = client.post(f"/threads/{thread.pk}/comments/", {"body": "", "stance": "for"})
    assert resp.status_code == 400
    assert "field-error" in resp.content.decode()


def test_outsider_sees_no_post_form(client, outsider, thread, comment):
    client.force_login(outsider)
    html = client.get(f"/threads/{thread.pk}/").content.decode()
    assert "I am <strong>for</strong>" in html
    assert 'name="body"' not in html
    resp = client.post(
        f"/threads/{thread.pk}/comments/", {"body": "x", "stance": "for"}
    )
    assert resp.status_code == 403


def test_reaction_toggle_form(client, member, comment):
    client.force_login(member)
    client.post(f"/comments/{comment.pk}/react/", {"kind": "insightful"})
    assert Reaction.objects.filter(comment=comment, member=member).count() == 1
    client.post(f"/comments/{comment.pk}/react/", {"kind": "insightful"})
    assert Reaction.objects.filter(comment=comment, member=member).count() == 0


def test_edit_and_delete_own_comment_pages(client, other_member, comment):
    client.force_login(other_member)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    resp = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Changed", "stance": "for"}
    )
    assert resp.status_code == 302
    history = client.get(f"/comments/{comment.pk}/history/").content.decode()
    assert "I am **for** it." in history
    client.post(f"/comments/{comment.pk}/delete/")
    html = client.get(f"/threads/{comment.thread_id}/").content.decode()
    assert "The author deleted this comment." in html
    assert "Changed" not in html


def test_hidden_comment_placeholder_for_others_text_for_author_and_moderator(
    client, member, other_member, comment, moderator
):
    hide_comment(comment=comment, moderator=moderator, reason="Off topic")
    url = f"/threads/{comment.thread_id}/"
    client.force_login(member)
    html = client.get(url).content.decode()
    assert "Hidden by a moderator." in html
    assert "Off topic" in html
    assert "I am <strong>for</strong>" not in html
    client.force_login(other_member)
    html = client.get(url).content.decode()
    assert "Your hidden text" in html
    assert "I am <strong>for</strong>" in html
    assert f"/comments/{comment.pk}/appeal/" in html
    client.force_login(moderator)
    html = client.get(url).content.decode()
    assert "I am <strong>for</strong>" in html
    assert f"/comments/{comment.pk}/restore/" in html


def test_moderator_hides_through_the_form_and_the_log_page_shows_it(
    client, comment, moderator
):
    client.force_login(moderator)
    assert client.get(f"/comments/{comment.pk}/hide/").status_code == 200
    resp = client.post(f"/comments/{comment.pk}/hide/", {"reason": "Insults a member"})
    assert resp.status_code == 302
    client.logout()
    html = client.get("/moderation/").content.decode()
    assert "Insults a member" in html


def test_non_moderator_cannot_open_hide_form(client, member, comment):
    client.force_login(member)
    assert client.get(f"/comments/{comment.pk}/hide/").status_code == 403


def test_appeal_shows_on_moderation_page_for_another_moderator(
    client, other_member, comment, moderator, moderator2
):
    hide_comment(comment=comment, moderator=moderator, reason="Rude")
    appeal_hiding(comment=comment, author=other_member, reason="It was not rude")
    client.force_login(moderator)
    assert "It was not rude" not in client.get("/moderation/").content.decode()
    client.force_login(moderator2)
    assert "It was not rude" in client.get("/moderation/").content.decode()
    appeal = Appeal.objects.get()
    resp = client.post(
        f"/appeals/{appeal.pk}/decide/", {"outcome": "granted", "reason": "Fine"}
    )
    assert resp.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden is False


def test_flag_form(client, member, comment):
    client.force_login(member)
    resp = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert resp.status_code == 302
    resp = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert resp.status_code == 400


def test_arguments_view_on_page(client, member, thread):
    post_comment(thread=thread, author=member, body="Pro point", stance="for")
    post_comment(thread=thread, author=member, body="Con point", stance="against")
    client.force_login(member)
    html = client.get(f"/threads/{thread.pk}/?view=arguments").content.decode()
    assert html.index("Pro point") < html.index("Con point")
    assert "side-for" in html
    assert "side-against" in html


def test_unit_threads_page_opens_a_thread(client, member, tree):
    client.force_login(member)
    url = f"/units/{tree['branch'].pk}/threads/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"title": "Summer party"})
    assert resp.status_code == 302
    assert "Summer party" in client.get(resp["Location"]).content.decode()
    assert "Summer party" in client.get(f"/units/{tree['branch'].pk}/").content.decode()


def test_outsider_cannot_open_thread_in_other_branch(client, outsider, tree):
    client.force_login(outsider)
    resp = client.post(f"/units/{tree['branch'].pk}/threads/", {"title": "x"})
    assert resp.status_code == 403


def test_live_session_banner_and_close_with_minutes(client, facilitator, member, tree):
    now = timezone.now()
    session = schedule_live_session(
        unit=tree["branch"],
        facilitator=facilitator,
        title="Budget night",
        agenda="Budget",
        starts=now - timedelta(minutes=1),
        ends=now + timedelta(hours=1),
    )
    client.force_login(member)
    html = client.get(session.thread.get_absolute_url()).content.decode()
    assert "Live session now" in html
    assert "Budget night" in html
    assert "Live sessions in your units" in client.get("/").content.decode()
    assert client.get(f"/sessions/{session.pk}/close/").status_code == 403
    client.force_login(facilitator)
    resp = client.post(f"/sessions/{session.pk}/close/", {"minutes": "We *agreed*."})
    assert resp.status_code == 302
    html = client.get(session.thread.get_absolute_url()).content.decode()
    assert "Live session now" not in html
    assert "We <em>agreed</em>." in html
    assert LiveSession.objects.get().closed is not None


def test_facilitator_schedules_through_the_form(client, facilitator, tree):
    client.force_login(facilitator)
    url = f"/units/{tree['branch'].pk}/sessions/new/"
    start = timezone.localtime() + timedelta(days=1)
    resp = client.post(
        url,
        {
            "title": "Open meeting",
            "agenda": "",
            "starts": start.strftime("%Y-%m-%dT%H:%M"),
            "ends": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert resp.status_code == 302
    assert LiveSession.objects.get().title == "Open meeting"


def test_fragment_renders_one_comment(client, member, comment):
    client.force_login(member)
    resp = client.get(f"/threads/{comment.thread_id}/comments/{comment.pk}/fragment/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f'id="c-{comment.pk}"' in html
    assert "<html" not in html
    assert client.get(
        f"/threads/{comment.thread_id + 1}/comments/{comment.pk}/fragment/"
    ).status_code in (403, 404)


def test_thread_page_query_count_is_fixed(
    client, member, other_member, thread, django_assert_num_queries
):
    def grow(n):
        for i in range(n):
            root = post_comment(
                thread=thread,
                author=other_member,
                body=f"root {i}",
                stance="for",
                enforce_rate=False,
            )
            post_comment(
                thread=thread,
                author=member,
                body=f"reply {i}",
                parent=root,
                enforce_rate=False,
            )

    grow(2)
    client.force_login(member)
    url = f"/threads/{thread.pk}/"
    client.get(url)
    # session, member, thread, memberships, live sessions, the page's roots (with
    # their count), their replies, the member's reactions, roles, unread badge
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    grow(40)
    hidden = Comment.objects.filter(thread=thread).first()
    hide_comment(comment=hidden, moderator=_mod(thread), reason="x")
    with django_assert_num_queries(10):
        html = client.get(url).content.decode()
    # 20 roots and their 20 replies, and the placeholder live.js clones
    assert html.count('class="comment ') == 41
    with django_assert_num_queries(10):
        assert "Page 3 of 3" in client.get(f"{url}?page=3").content.decode()
    # `last` and a page past the end count the roots first (Paginator.get_page)
    for page, queries in (("last", 11), ("0", 11), ("9", 12)):
        with django_assert_num_queries(queries):
            html = client.get(f"{url}?page={page}").content.decode()
        assert "Page 3 of 3" in html
        assert html.count('class="comment ') == 5


def _mod(thread):
    from tests.factories import give_role

    m = MemberFactory(units=[thread.unit])
    give_role(m, thread.unit, "moderator")
    return m


def test_thread_block_embeds_full_thread_without_n_plus_one(
    rf, member, other_member, thread, django_assert_num_queries
):
    from django.template import Context, Template

    for i in range(3):
        post_comment(
            thread=thread, author=other_member, body=f"c{i}", enforce_rate=False
        )
    request = rf.get("/proposals/1/")
    request.user = member
    tpl = Template("{% load discussions %}{% thread_block thread %}")
    tpl.render(Context({"thread": thread, "request": request, "user": member}))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        tpl.render(Context({"thread": thread, "request": request, "user": member}))
    for i in range(20):
        post_comment(
            thread=thread, author=other_member, body=f"d{i}", enforce_rate=False
        )
    with django_assert_num_queries(len(few.captured_queries)):
        html = tpl.render(
            Context({"thread": thread, "request": request, "user": member})
        )
    assert len(re.findall(r'data-comment="\d+"', html)) == 20  # one page of 20
    assert "data-thread-live" in html


def test_moderator_sees_flag_count_on_the_thread(client, member, comment, moderator):
    from deliberation.discussions.services import flag_comment

    flag_comment(comment=comment, member=member, reason="rude")
    client.force_login(member)
    assert (
        "Flagged:" not in client.get(f"/threads/{comment.thread_id}/").content.decode()
    )
    client.force_login(moderator)
    assert "Flagged: 1" in client.get(f"/threads/{comment.thread_id}/").content.decode()
