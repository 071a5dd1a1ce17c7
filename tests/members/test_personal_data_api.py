"""A member's own data through the API: export (POST → job → ZIP for them only) and
account deletion (POST with password → erase_at; DELETE cancels; 0 days: at once)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.discussions.models import Comment
from deliberation.members.models import DataExport, ErasureRequest, Member
from deliberation.members.retention import prune_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _exports_dir(settings, tmp_path):
    settings.DATA_EXPORT_DIR = tmp_path / "exports"


def _thread_with_comment(api, tree, body="Jag tycker om bänkar."):
    thread = api.post(
        "/api/v1/threads/", {"title": "Parkbänkar", "unit": tree["branch"].pk}
    ).json()
    comment = api.post(
        f"/api/v1/threads/{thread['id']}/comments/",
        {"body": body, "stance": "for", "parent": None},
    ).json()
    return thread, comment


def _zip(resp) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))


def test_export_is_a_job_then_a_zip_of_my_data(
    api, member, tree, django_capture_on_commit_callbacks
):
    thread, comment = _thread_with_comment(api, tree)
    api.patch(f"/api/v1/comments/{comment['id']}/", {"body": "Jag älskar bänkar."})
    api.post("/api/v1/follows/", {"target_kind": "thread", "target_id": thread["id"]})

    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post("/api/v1/me/export/")
    assert resp.status_code == 202
    export_id = resp.json()["id"]

    status = api.get(f"/api/v1/me/export/{export_id}/").json()
    assert status["state"] == "ready"
    assert status["download"].endswith(f"/api/v1/me/export/{export_id}/download/")

    download = api.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = _zip(download)
    names = set(archive.namelist())
    assert {"index.html", "json/index.json", "json/members.profile.json"} <= names
    profile = json.loads(archive.read("json/members.profile.json"))
    assert profile[0]["email"] == member.email
    comments = json.loads(archive.read("json/discussions.comments.json"))
    assert comments[0]["body"] == "Jag älskar bänkar."
    assert comments[0]["earlier_versions"][0]["body"] == "Jag tycker om bänkar."
    follows = json.loads(archive.read("json/notifications.follows.json"))
    assert [(f["kind"], f["id"]) for f in follows] == [("thread", thread["id"])]
    html = archive.read("html/discussions.comments.html").decode()
    assert "Jag älskar bänkar." in html
    assert "discussions.comments.html" in archive.read("index.html").decode()


def test_only_the_member_sees_or_downloads_their_export(
    api, api_for, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export_id = api.post("/api/v1/me/export/").json()["id"]
    other = api_for(other_member)
    assert other.get(f"/api/v1/me/export/{export_id}/").status_code == 404
    assert other.get(f"/api/v1/me/export/{export_id}/download/").status_code == 404
    assert api.get(f"/api/v1/me/export/{export_id}/download/").status_code == 200


def test_anonymous_gets_401_on_every_personal_data_endpoint(anon_client):
    assert anon_client.post("/api/v1/me/export/").status_code == 401
    assert anon_client.get("/api/v1/me/export/1/").status_code == 401
    assert anon_client.post("/api/v1/me/delete/", {}).status_code == 401


def test_two_export_requests_at_once_give_one_job(api, member):
    first = api.post("/api/v1/me/export/").json()["id"]  # not run: no commit
    second = api.post("/api/v1/me/export/").json()["id"]
    assert first == second
    assert DataExport.objects.filter(member=member).count() == 1
    assert api.get(f"/api/v1/me/export/{first}/").json()["state"] == "pending"
    assert api.get(f"/api/v1/me/export/{first}/").json()["download"] is None


def test_an_export_expires_and_its_file_is_pruned(
    api, member, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export_id = api.post("/api/v1/me/export/").json()["id"]
    export = DataExport.objects.get(pk=export_id)
    path = settings.DATA_EXPORT_DIR / export.file_name
    assert path.is_file()
    later = timezone.now() + timedelta(hours=settings.DATA_EXPORT_EXPIRY_HOURS + 1)
    DataExport.objects.filter(pk=export_id).update(expires=timezone.now())
    status = api.get(f"/api/v1/me/export/{export_id}/").json()
    assert status["state"] == "expired"
    assert status["download"] is None
    assert api.get(f"/api/v1/me/export/{export_id}/download/").status_code == 404
    assert prune_personal_data(now=later)["members.exports"] == 1
    assert not path.exists()
    assert DataExport.objects.get(pk=export_id).state == "expired"


def test_delete_needs_the_password_and_a_confirmation(api, password):
    wrong = api.post("/api/v1/me/delete/", {"password": "nope", "confirm": True})
    assert wrong.status_code == 400
    assert "password" in wrong.json()
    unconfirmed = api.post("/api/v1/me/delete/", {"password": password})
    assert unconfirmed.status_code == 400
    assert "confirm" in unconfirmed.json()
    refused = api.post("/api/v1/me/delete/", {"password": password, "confirm": False})
    assert refused.status_code == 400
    assert not ErasureRequest.objects.exists()


def test_delete_waits_the_grace_period_and_can_be_cancelled(
    api, member, password, settings
):
    settings.ERASURE_GRACE_DAYS = 7
    before = timezone.now()
    resp = api.post("/api/v1/me/delete/", {"password": password, "confirm": True})
    assert resp.status_code == 202
    erase_at = resp.json()["erase_at"]
    pending = ErasureRequest.objects.get(member=member)
    assert pending.erase_at >= before + timedelta(days=7)
    assert api.get("/api/v1/me/delete/").json()["erase_at"] == erase_at
    member.refresh_from_db()
    assert member.erased_at is None

    assert api.delete("/api/v1/me/delete/").status_code == 204
    assert not ErasureRequest.objects.exists()
    assert api.delete("/api/v1/me/delete/").status_code == 404
    assert api.get("/api/v1/me/delete/").status_code == 404


def test_with_no_grace_period_the_data_is_erased_at_once(
    api, api_for, member, other_member, tree, password, settings
):
    settings.ERASURE_GRACE_DAYS = 0
    member.member_number = "M-4711"
    member.save()
    name, email = member.full_name, member.email
    thread, comment = _thread_with_comment(api, tree, body="Mina ord om bänkar.")
    other = api_for(other_member)
    other.post(
        f"/api/v1/threads/{thread['id']}/comments/",
        {"body": "Ett svar.", "stance": "against", "parent": comment["id"]},
    )

    resp = api.post("/api/v1/me/delete/", {"password": password, "confirm": True})
    assert resp.status_code == 202
    assert resp.json()["erase_at"]
    assert api.get("/api/v1/me/").status_code == 401  # the token is gone

    member = Member.objects.get(pk=member.pk)
    assert member.erased_at is not None
    assert (member.full_name, member.email, member.member_number) == ("", "", None)
    assert not member.has_usable_password()
    page = other.get(f"/api/v1/threads/{thread['id']}/comments/").json()
    mine = next(c for c in page["results"] if c["id"] == comment["id"])
    assert mine["author"]["name"] == "a former member"
    assert mine["body_html"] == ""
    reply = next(c for c in page["results"] if c["parent"] == comment["id"])
    assert reply["body_html"]  # the reply keeps its place and its text
    assert name not in json.dumps(page)
    assert email not in json.dumps(page)


def test_keep_comments_keeps_the_text_under_a_former_member(
    api, api_for, member, other_member, tree, password, settings
):
    settings.ERASURE_GRACE_DAYS = 0
    thread, comment = _thread_with_comment(api, tree, body="Behåll mina ord.")
    api.post(
        "/api/v1/me/delete/",
        {"password": password, "confirm": True, "keep_comments": True},
    )
    kept = Comment.objects.get(pk=comment["id"])
    assert kept.body == "Behåll mina ord."
    shown = api_for(other_member).get(f"/api/v1/comments/{comment['id']}/").json()
    assert shown["author"]["name"] == "a former member"
    assert "Behåll mina ord." in shown["body_html"]


def test_guessing_the_password_on_delete_is_limited_like_signing_in(api, password):
    for _ in range(5):
        api.post("/api/v1/me/delete/", {"password": "guess", "confirm": True})
    locked = api.post("/api/v1/me/delete/", {"password": password, "confirm": True})
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked"
    assert "Retry-After" in locked
    assert not ErasureRequest.objects.exists()
