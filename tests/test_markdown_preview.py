"""Markdown preview while writing: the endpoint live forms use (POST, CSRF, members,
size and rate limits, never a 500) and the "Preview" button without JavaScript, which
re-renders the form with the preview and saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from deliberation.discussions.models import Comment
from deliberation.discussions.services import create_thread, post_comment
from frontend.views.preview import PREVIEW_RATE, preview_max_chars
from proposals import services as proposal_services
from proposals.models import Proposal

pytestmark = pytest.mark.django_db
URL = "/markdown/preview/"


def test_preview_renders_with_the_same_sanitiser(client, member):
    client.force_login(member)
    resp = client.post(
        URL,
        {"text": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/html")
    html = resp.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<html" not in html


def test_preview_needs_post_a_member_and_csrf(client, member):
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"text": "x"}).status_code == 403  # signed out
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(URL, {"text": "x"}).status_code == 403  # no CSRF token
    strict.get("/proposals/new/")  # sets the CSRF cookie, as a page load does
    token = strict.cookies["csrftoken"].value
    resp = strict.post(URL, {"text": "*ok*"}, HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 200
    assert "<em>ok</em>" in resp.content.decode()


def test_preview_is_size_limited(client, member):
    client.force_login(member)
    resp = client.post(URL, {"text": "a" * (preview_max_chars() + 1)})
    assert resp.status_code == 413
    assert resp["Content-Type"].startswith("text/plain")
    assert client.post(URL, {"text": "a" * preview_max_chars()}).status_code == 200


def test_preview_is_rate_limited_per_member(client, member, other_member):
    client.force_login(member)
    for _ in range(PREVIEW_RATE):
        assert client.post(URL, {"text": "x"}).status_code == 200
    resp = client.post(URL, {"text": "x"})
    assert resp.status_code == 429
    assert int(resp["Retry-After"]) >= 1
    client.force_login(other_member)  # another member is not held by it
    assert client.post(URL, {"text": "x"}).status_code == 200


@pytest.mark.parametrize(
    "text",
    ["", "\x00", "# " * 5000, "[" * 3000, "> " * 3000 + "x", "`" * 4000, "\ud7ff" * 10],
)
def test_odd_text_never_breaks_the_preview(client, member, text):
    client.force_login(member)
    assert client.post(URL, {"text": text}).status_code == 200


def test_thread_form_preview_without_js_posts_nothing(client, member, tree):
    thread = create_thread(title="Förhandsvisning", unit=tree["branch"], actor=member)
    client.force_login(member)
    resp = client.post(
        f"/threads/{thread.pk}/comments/",
        {"body": "Ett *utkast*", "stance": "for", "preview": "1"},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Ett <em>utkast</em>" in html  # the preview
    assert "Ett *utkast*</textarea>" in html  # the text kept in the form
    assert 'data-preview-output aria-live="polite"' in html
    assert not Comment.objects.filter(thread=thread).exists()


def test_comment_edit_preview_changes_nothing(client, member, tree):
    thread = create_thread(title="T", unit=tree["branch"], actor=member)
    own = post_comment(thread=thread, author=member, body="Först", stance="for")
    client.force_login(member)
    resp = client.post(
        f"/comments/{own.pk}/edit/",
        {"body": "**Sen**", "stance": "for", "preview": "1"},
    )
    assert resp.status_code == 200
    assert "<strong>Sen</strong>" in resp.content.decode()
    own.refresh_from_db()
    assert own.body == "Först"


def test_proposal_new_and_edit_preview_without_js(client, member, tree):
    client.force_login(member)
    page = client.get("/proposals/new/").content.decode()
    assert 'name="preview"' in page
    assert "preview.js" in page
    resp = client.post(
        "/proposals/new/",
        {"title": "", "body": "Vi vill *mer*", "preview": "1"},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Vi vill <em>mer</em>" in html
    assert "field-error" not in html  # a preview is not a submission
    assert not Proposal.objects.exists()
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Cykel",
        body="Gammal",
        clauses=["att x"],
        unit=tree["branch"],
        publish=True,
    )
    resp = client.post(
        f"/proposals/{proposal.pk}/edit/",
        {"title": "Cykel", "body": "Ny **text**", "clauses": "att x", "preview": "1"},
    )
    assert resp.status_code == 200
    assert "Ny <strong>text</strong>" in resp.content.decode()
    proposal.refresh_from_db()
    assert proposal.body == "Gammal"
    assert proposal.revisions.count() == 1
