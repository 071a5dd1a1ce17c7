"""Follows through the API: deleting by id goes through the service."""

import pytest

from deliberation.notifications.models import Follow
from deliberation.notifications.services import follow

pytestmark = pytest.mark.django_db


def test_delete_follow_by_id_removes_only_your_own(api, member, other_member, tree):
    mine, _ = follow(member=member, target_kind="unit", target_id=tree["branch"].pk)
    theirs, _ = follow(
        member=other_member, target_kind="unit", target_id=tree["branch"].pk
    )

    assert api.delete(f"/api/v1/follows/{theirs.pk}/").status_code == 404
    assert Follow.objects.filter(pk=theirs.pk).exists()

    assert api.delete(f"/api/v1/follows/{mine.pk}/").status_code == 204
    assert not Follow.objects.filter(pk=mine.pk).exists()
    assert api.delete(f"/api/v1/follows/{mine.pk}/").status_code == 404


def _reply(deliver, comment, author, body="Svar"):
    from deliberation.discussions.services import post_comment

    return deliver(
        post_comment, thread=comment.thread, author=author, body=body, parent=comment
    )


def test_list_unread_and_mark_read(api, deliver, comment, other_member, member):
    first = _reply(deliver, comment, other_member, "Ett")
    _reply(deliver, comment, other_member, "Två")
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert body["unread"] == 2
    item = body["results"][1]
    assert item["kind"] == "reply"
    assert item["read"] is False
    assert item["object"] == {"type": "comment", "id": first.pk}
    assert item["actor"]["id"] == other_member.pk
    assert item["url"].endswith(f"/threads/{comment.thread_id}/#c-{first.pk}")
    assert other_member.display_name in item["text"]
    assert set(item) == {
        "id",
        "kind",
        "created",
        "read",
        "text",
        "url",
        "actor",
        "object",
    }

    r = api.post("/api/v1/notifications/read/", {"ids": [item["id"]]}, format="json")
    assert r.status_code == 200
    assert r.json() == {"unread": 1}
    unread = api.get("/api/v1/notifications/?unread=1").json()
    assert unread["count"] == 1
    assert unread["unread"] == 1
    assert unread["results"][0]["id"] != item["id"]
    r = api.post("/api/v1/notifications/read/", {"all": True}, format="json")
    assert r.json() == {"unread": 0}


def test_text_is_in_the_viewers_language(api, deliver, comment, other_member):
    _reply(deliver, comment, other_member)
    sv = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="sv").json()
    assert "svarade dig" in sv["results"][0]["text"]
    en = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "replied to you" in en["results"][0]["text"]


def test_read_is_only_your_own(api, api_for, deliver, comment, other_member, member):
    _reply(deliver, comment, other_member)
    theirs = api.get("/api/v1/notifications/").json()["results"][0]["id"]
    other = api_for(other_member)
    assert other.post(
        "/api/v1/notifications/read/", {"ids": [theirs]}, format="json"
    ).json() == {"unread": 0}
    assert api.get("/api/v1/notifications/").json()["unread"] == 1


def test_read_needs_ids_or_all(api):
    r = api.post("/api/v1/notifications/read/", {}, format="json")
    assert r.status_code == 400
    r = api.post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert r.status_code == 400


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
    assert client.get("/api/v1/notification-preferences/").status_code in (401, 403)


def test_preferences_get_and_put(api, deliver, comment, other_member):
    prefs = {
        p["kind"]: p["channel"]
        for p in api.get("/api/v1/notification-preferences/").json()
    }
    assert prefs["reply"] == "email"
    assert prefs["session_started"] == "in_app"
    r = api.put(
        "/api/v1/notification-preferences/",
        [{"kind": "reply", "channel": "off"}],
        format="json",
    )
    assert r.status_code == 200
    after = {p["kind"]: p["channel"] for p in r.json()}
    assert after["reply"] == "off"
    assert after["mention"] == "email"
    _reply(deliver, comment, other_member)
    assert api.get("/api/v1/notifications/").json()["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        [{"kind": "nope", "channel": "off"}],
        [{"kind": "reply", "channel": "sometimes"}],
        {"kind": "reply"},
        [{"kind": "reply"}],
        "x",
    ],
)
def test_bad_preferences_are_400(api, body):
    r = api.put("/api/v1/notification-preferences/", body, format="json")
    assert r.status_code == 400
    assert {
        p["channel"]
        for p in api.get("/api/v1/notification-preferences/").json()
        if p["kind"] == "reply"
    } == {"email"}
