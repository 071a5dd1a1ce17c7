"""The thread's comments as HTML (frontend/views/comment_html.py, one pass): what each
viewer sees and may do is decided per request — never another viewer's controls, own
reactions or hidden text."""

import re

import pytest
from django.template import Context, Template

from deliberation.discussions.services import (
    hide_comment,
    post_comment,
    toggle_reaction,
)
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db

SECRET = "the words a moderator hid"


def article(html: str, cid: int) -> str:
    """The <article> of comment `cid` in a page."""
    match = re.search(
        rf'<article class="comment[^"]*" id="c-{cid}".*?</article>', html, re.S
    )
    assert match, f"comment {cid} is not on the page"
    return match.group(0)


def page_of(client, viewer, thread) -> str:
    client.force_login(viewer)
    resp = client.get(f"/threads/{thread.pk}/")
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.fixture
def hidden(thread, other_member, moderator):
    c = post_comment(thread=thread, author=other_member, body=SECRET, stance="for")
    hide_comment(comment=c, moderator=moderator, reason="<b>rude</b> & off-topic")
    return c


def test_hidden_text_only_for_its_author_and_moderators(
    client, thread, hidden, member, other_member, moderator, outsider
):
    for viewer in (member, outsider):
        html = article(page_of(client, viewer, thread), hidden.pk)
        assert SECRET not in html
        assert "Hidden by a moderator." in html
        assert "&lt;b&gt;rude&lt;/b&gt; &amp; off-topic" in html
        assert "/restore/" not in html
        assert "/appeal/" not in html
    own = article(page_of(client, other_member, thread), hidden.pk)
    assert SECRET in own
    assert "Your hidden text" in own
    assert f"/comments/{hidden.pk}/appeal/" in own
    assert "/edit/" not in own
    assert "/restore/" not in own
    mod = article(page_of(client, moderator, thread), hidden.pk)
    assert SECRET in mod
    assert "Show the hidden text (moderators)" in mod
    assert f"/comments/{hidden.pk}/restore/" in mod
    assert "/appeal/" not in mod


def test_controls_follow_the_viewer(client, thread, comment, member, outsider, tree):
    mine = post_comment(thread=thread, author=member, body="mine", stance="neutral")
    html = page_of(client, member, thread)
    theirs, own = article(html, comment.pk), article(html, mine.pk)
    assert f"/comments/{comment.pk}/flag/" in theirs
    assert '<button type="submit" name="kind" value="like"' in theirs
    assert f'name="parent" value="{comment.pk}"' in theirs
    assert "/edit/" not in theirs
    assert "/delete/" not in theirs
    assert "/hide/" not in theirs  # a member moderates nothing
    assert f"/comments/{mine.pk}/edit/" in own
    assert f"/comments/{mine.pk}/delete/" in own
    assert "/flag/" not in own
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs)
    assert token
    assert token.group(1)
    # a member of another unit reads, but has no forms and no controls
    html = page_of(client, outsider, thread)
    theirs = article(html, comment.pk)
    assert "<form" not in theirs
    assert "/flag/" not in theirs
    assert '<span class="reaction">' in theirs
    assert 'class="reply"' not in theirs
    # a moderator (here a member of the branch too) hides others' comments only
    mod = MemberFactory(units=[tree["branch"]])
    give_role(mod, tree["district"], "moderator")
    own_mod = post_comment(thread=thread, author=mod, body="m", stance="for")
    html = page_of(client, mod, thread)
    assert f"/comments/{comment.pk}/hide/" in article(html, comment.pk)
    assert "/hide/" not in article(html, own_mod.pk)
    assert f"/comments/{own_mod.pk}/edit/" in article(html, own_mod.pk)


def test_own_reactions_are_pressed_for_their_member_only(
    client, thread, comment, member, tree
):
    toggle_reaction(comment=comment, member=member, kind="agree")
    other = MemberFactory(units=[tree["branch"]])
    pressed = 'value="agree" class="reaction is-mine" aria-pressed="true"'
    assert pressed in article(page_of(client, member, thread), comment.pk)
    theirs = article(page_of(client, other, thread), comment.pk)
    assert pressed not in theirs
    assert 'value="agree" class="reaction" aria-pressed="false"' in theirs
    assert f'data-reaction-count="{comment.pk}:agree">1<' in theirs


def test_names_are_escaped(client, thread, member, tree):
    author = MemberFactory(units=[tree["branch"]], full_name='<script>x("1")</script>')
    c = post_comment(thread=thread, author=author, body="hi", stance="question")
    html = article(page_of(client, member, thread), c.pk)
    assert "<script>" not in html
    assert "&lt;script&gt;x(&quot;1&quot;)&lt;/script&gt;" in html
    assert f'href="/members/{author.pk}/"' in html


def test_replies_nest_under_their_root(client, thread, comment, member):
    reply = post_comment(thread=thread, author=member, body="a reply", parent=comment)
    deeper = post_comment(thread=thread, author=member, body="deeper", parent=reply)
    html = page_of(client, member, thread)
    replies = re.search(
        rf'<ol class="comment-list replies" data-replies="{comment.pk}">(.*)',
        html,
        re.S,
    )
    assert replies
    assert f'data-comment-item="{reply.pk}"' in replies.group(1)
    inner = html.split(f'data-replies="{reply.pk}">', 1)[1]
    assert inner.startswith(
        f'<li class="comment-item" data-comment-item="{deeper.pk}">'
    )


def test_embedded_thread_posts_back_to_its_page(rf, thread, comment, member):
    request = rf.get("/proposals/7/")
    request.user = member
    html = Template("{% load discussions %}{% thread_block thread %}").render(
        Context(
            {
                "thread": thread,
                "request": request,
                "user": member,
                "csrf_token": "tok",
                "submission_key": "key",
            }
        )
    )
    theirs = article(html, comment.pk)
    assert '<input type="hidden" name="next" value="/proposals/7/">' in theirs
    assert 'name="csrfmiddlewaretoken" value="tok"' in theirs
    assert 'name="submission_key" value="key"' in theirs


def test_fragment_of_a_hidden_comment_keeps_the_text_from_others(
    client, thread, hidden, member, moderator
):
    url = f"/threads/{thread.pk}/comments/{hidden.pk}/fragment/"
    client.force_login(member)
    html = client.get(url).content.decode()
    assert f'id="c-{hidden.pk}"' in html
    assert SECRET not in html
    assert "data-replies" not in html  # one comment, no replies list
    client.force_login(moderator)
    assert SECRET in client.get(url).content.decode()
