"""A double click or a retried request never creates a duplicate (DESIGN: "a fault
(double click, ...) never loses or duplicates a proposal, comment ...")."""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from deliberation.discussions.models import Comment, Thread
from deliberation.discussions.services import create_thread
from proposals.models import Proposal
from tests.conftest import client_for

KEY = "4f0c3c6e-double-click-01"


@pytest.fixture
def thread(tree, member):
    return create_thread(title="Var ska vi ses?", unit=tree["branch"], actor=member)


@pytest.mark.django_db
def test_same_key_twice_gives_one_comment_and_the_same_answer(api, thread):
    body = {"body": "Jag föreslår biblioteket.", "stance": "for", "parent": None}
    first = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    second = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Comment.objects.filter(thread=thread).count() == 1
    other = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY + "-b",
    )
    assert other.json()["id"] != first.json()["id"]  # a new key is a new comment


@pytest.mark.django_db
def test_proposal_and_thread_creation_are_deduplicated(api, tree):
    proposal = {
        "title": "Fler bänkar i parken",
        "body": "Vi behöver fler bänkar.",
        "unit": tree["branch"].pk,
        "publish": True,
    }
    ids = {
        api.post(
            "/api/v1/proposals/", proposal, format="json", HTTP_IDEMPOTENCY_KEY=KEY
        ).json()["id"]
        for _ in range(3)
    }
    assert len(ids) == 1
    assert Proposal.objects.count() == 1
    thread = {"title": "Sommarfest", "unit": tree["branch"].pk}
    ids = {
        api.post(
            "/api/v1/threads/", thread, format="json", HTTP_IDEMPOTENCY_KEY=KEY + "-t"
        ).json()["id"]
        for _ in range(2)
    }
    assert len(ids) == 1
    assert Thread.objects.filter(title="Sommarfest").count() == 1


@pytest.mark.django_db
def test_a_key_reused_for_another_kind_of_thing_is_refused(api, tree, thread):
    api.post(
        "/api/v1/threads/",
        {"title": "Sommarfest", "unit": tree["branch"].pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    resp = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "Hej", "stance": "neutral"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "key_reused"
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_key_reused_with_another_body_or_endpoint_is_422(api, tree, thread):
    url = f"/api/v1/threads/{thread.pk}/comments/"
    first = api.post(
        url,
        {"body": "Första", "stance": "for"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert first.status_code == 201
    other_body = api.post(
        url, {"body": "Andra", "stance": "for"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "key_reused"
    other_thread = create_thread(
        title="Annan", unit=tree["branch"], actor=thread.created_by
    )
    elsewhere = api.post(
        f"/api/v1/threads/{other_thread.pk}/comments/",
        {"body": "Första", "stance": "for"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert elsewhere.status_code == 422
    # the same request again still replays (key order in the JSON does not matter)
    again = api.post(
        url,
        {"stance": "for", "body": "Första"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Comment.objects.filter(body="Andra").count() == 0


@pytest.mark.django_db
def test_keys_belong_to_one_member(api_for, member, other_member, thread):
    body = {"body": "Samma nyckel, olika personer.", "stance": "for"}
    a = api_for(member).post(
        f"/api/v1/threads/{thread.pk}/comments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    b = api_for(other_member).post(
        f"/api/v1/threads/{thread.pk}/comments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.django_db
def test_a_failed_create_does_not_burn_the_key(api, thread):
    bad = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "", "stance": "for"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert bad.status_code == 400
    good = api.post(
        f"/api/v1/threads/{thread.pk}/comments/",
        {"body": "Nu med text.", "stance": "for"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good.headers


@pytest.mark.django_db
def test_the_comment_form_double_submitted_posts_once(member, password, thread):
    web = Client()
    web.login(username=member.username, password=password)
    page = web.get(f"/threads/{thread.pk}/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)
    form = {"body": "Dubbelklick!", "stance": "for", "submission_key": key}
    first = web.post(f"/threads/{thread.pk}/comments/", form)
    second = web.post(f"/threads/{thread.pk}/comments/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.filter(thread=thread).count() == 1
    fresh = web.get(f"/threads/{thread.pk}/").content.decode()
    assert key not in fresh  # every page load carries a new key


@pytest.mark.django_db
def test_every_create_form_carries_a_key(member, password, tree, thread):
    web = Client()
    web.login(username=member.username, password=password)
    for path in [
        "/proposals/new/",
        f"/units/{tree['branch'].pk}/threads/",
        f"/threads/{thread.pk}/",
    ]:
        assert 'name="submission_key"' in web.get(path).content.decode(), path


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="real concurrency needs PostgreSQL",
)
def test_simultaneous_double_submit_creates_one_comment(member, tree):
    thread = create_thread(title="Samtidigt", unit=tree["branch"], actor=member)
    barrier = threading.Barrier(6)

    def post(_):
        try:
            client = client_for(member)
            barrier.wait()
            resp = client.post(
                f"/api/v1/threads/{thread.pk}/comments/",
                {"body": "En gång", "stance": "for"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=KEY,
            )
            return resp.status_code, resp.json()["id"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(post, range(6)))
    assert {status for status, _ in results} == {201}
    assert len({cid for _, cid in results}) == 1
    assert Comment.objects.filter(thread=thread).count() == 1
