"""Erasure, from the outside: after a member is erased their name, e-mail address,
username and member number are nowhere — not in a pg_dump of the whole database
(search vectors, stored thread events, notifications included), not in Redis (cache,
sign-in counters) — while what the organisation must keep stays. And a crash halfway
leaves nothing half-anonymised: the erasure is one transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection

from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import Comment, ThreadEvent
from deliberation.discussions.services import (
    add_reaction,
    create_thread,
    edit_comment,
    flag_comment,
    post_comment,
)
from deliberation.members.erasure import erase_member
from deliberation.members.models import Member, RoleAssignment
from proposals import services as proposals
from proposals.models import Proposal, Support
from tests.conftest import client_for
from tests.factories import PASSWORD, MemberFactory, give_role
from tests.notifications.needs_action_helpers import open_poll, vote

ROOT = Path(__file__).resolve().parents[2]
NAME = "Zacharias Öberg-Lindqvist"
EMAIL = "zacharias.oberglindqvist@example.org"
NUMBER = "M-990077"
USERNAME = "zachob_unik"


def _secrets_of_the_member() -> list[str]:
    return [NAME, EMAIL, NUMBER, USERNAME]


def _rich_member(tree, settings, tmp_path, django_capture_on_commit_callbacks):
    """A member who did a bit of everything, through the services and the API."""
    settings.DATA_EXPORT_DIR = tmp_path / "exports"
    member = MemberFactory(
        username=USERNAME,
        full_name=NAME,
        email=EMAIL,
        member_number=NUMBER,
        units=[tree["branch"]],
    )
    other = MemberFactory(units=[tree["branch"]])
    third = MemberFactory(units=[tree["branch"]])
    api = client_for(member)
    # sign-in counters and a known address in Redis, a wrong password first
    from rest_framework.test import APIClient

    APIClient().post("/api/v1/auth/token/", {"username": USERNAME, "password": "wrong"})
    APIClient().post("/api/v1/auth/token/", {"username": EMAIL, "password": PASSWORD})

    with django_capture_on_commit_callbacks(execute=True):
        thread = create_thread(title="Lokalen", unit=tree["branch"], actor=member)
        mine = post_comment(thread=thread, author=member, body="Mitt första inlägg.")
        edit_comment(comment=mine, actor=member, body="Mitt ändrade inlägg.")
        reply = post_comment(
            thread=thread, author=other, body="Ett svar till dig.", parent=mine
        )
        add_reaction(comment=reply, member=member, kind="like")
        add_reaction(comment=mine, member=other, kind="agree")
        flag_comment(comment=reply, member=member, reason="Min flaggning här.")
        alone = proposals.create_proposal(
            actor=member,
            title="Ett förslag bara jag brytt mig om",
            body="Ingen annan.",
            unit=tree["branch"],
            publish=True,
        )
        shared = proposals.create_proposal(
            actor=member,
            title="Ett förslag andra stöder",
            body="Texten står kvar.",
            unit=tree["branch"],
            publish=True,
        )
        proposals.support_proposal(proposal=shared, member=other)
        theirs = proposals.create_proposal(
            actor=other, title="Någon annans förslag", unit=tree["branch"], publish=True
        )
        proposals.support_proposal(proposal=theirs, member=member)
        poll = open_poll(tree["branch"], third)
        vote(poll, member)
        api.post("/api/v1/follows/", {"target_kind": "thread", "target_id": thread.pk})
        client_for(other).post(
            "/api/v1/follows/", {"target_kind": "member", "target_id": member.pk}
        )
        api.post("/api/v1/me/export/")
    return {
        "member": member,
        "other": other,
        "thread": thread,
        "mine": mine,
        "reply": reply,
        "alone": alone,
        "shared": shared,
        "theirs": theirs,
        "poll": poll,
    }


def _pg_dump() -> bytes:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(
        [
            "pg_dump",
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            db.get("USER") or "postgres",
            "--data-only",
            db["NAME"],
        ],
        check=True,
        capture_output=True,
        env=env,
    ).stdout


def _redis_dump() -> bytes:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    out = []
    for key in client.scan_iter(count=1000):
        out.append(key)
        kind = client.type(key)
        if kind == b"string":
            out.append(client.get(key) or b"")
        elif kind == b"hash":
            out.extend(b"%s=%s" % kv for kv in client.hgetall(key).items())
        elif kind in (b"list",):
            out.extend(client.lrange(key, 0, -1))
        elif kind in (b"set",):
            out.extend(client.smembers(key))
        elif kind == b"zset":
            out.extend(client.zrange(key, 0, -1))
    return b"\n".join(out)


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_member_is_nowhere_in_the_database_or_redis(
    tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    world = _rich_member(tree, settings, tmp_path, django_capture_on_commit_callbacks)
    member = world["member"]
    before = _pg_dump()
    for secret in _secrets_of_the_member():  # the test can fail: they were there
        assert secret.encode() in before, secret
    assert any(
        USERNAME in str(e.data) or NAME in str(e.data)
        for e in ThreadEvent.objects.all()
    )

    settings.ERASURE_GRACE_DAYS = 0
    resp = client_for(member).post(
        "/api/v1/me/delete/", {"password": PASSWORD, "confirm": True}
    )
    assert resp.status_code == 202

    dump = _pg_dump().lower()
    for secret in _secrets_of_the_member():
        assert secret.lower().encode() not in dump, f"{secret} is still in the dump"
    cache = _redis_dump().lower()
    for secret in _secrets_of_the_member():
        assert secret.lower().encode() not in cache, f"{secret} is still in Redis"
    assert not list(Path(settings.DATA_EXPORT_DIR).glob("*.zip"))  # export deleted

    # What must stay, stays — without the person.
    erased = Member.objects.get(pk=member.pk)
    assert erased.display_name == "a former member"
    mine = Comment.objects.get(pk=world["mine"].pk)
    assert (mine.body, mine.author_id) == ("", member.pk)
    assert Comment.objects.get(pk=world["reply"].pk).parent_id == mine.pk
    assert not Proposal.objects.filter(pk=world["alone"].pk).exists()
    shared = Proposal.objects.get(pk=world["shared"].pk)
    assert shared.body == "Texten står kvar."
    assert shared.support_count == 1  # the other member's
    assert Support.objects.filter(proposal=world["theirs"], member=member).exists()
    assert Proposal.objects.get(pk=world["theirs"].pk).support_count == 1
    world["poll"].refresh_from_db()
    assert world["poll"].participations.count() == 1
    for event in ThreadEvent.objects.all():  # stored events: "a former member"
        assert USERNAME not in str(event.data)
        assert NAME not in str(event.data)
    other_api = client_for(world["other"])
    comments = other_api.get(f"/api/v1/threads/{world['thread'].pk}/comments/").json()
    assert NAME not in str(comments)
    found = other_api.get("/api/v1/search/", {"q": "Zacharias"})
    assert found.status_code == 200
    assert NAME not in found.content.decode()


@pytest.mark.django_db
def test_public_roles_stay_with_the_name_but_apart_from_the_comments(tree):
    member = MemberFactory(full_name=NAME, units=[tree["branch"]])
    give_role(member, tree["branch"], "moderator")
    thread = create_thread(title="Tråd", unit=tree["branch"], actor=member)
    comment = post_comment(thread=thread, author=member, body="Ett inlägg.")

    assert erase_member(member_id=member.pk)
    role = RoleAssignment.objects.get(unit=tree["branch"], role="moderator")
    assert role.member.display_name == NAME  # the public record keeps the name
    assert role.member_id != member.pk  # … on a row of its own
    assert not role.member.has_usable_password()
    assert role.member.email == ""
    granted = AuditEntry.objects.get(action="role.granted", target_id=str(role.pk))
    assert granted.data["member"] == role.member_id
    assert Comment.objects.get(pk=comment.pk).author.display_name == "a former member"
    assert erase_member(member_id=member.pk) is False  # twice: nothing more


KILLED_MIDWAY = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from deliberation.members.personal_data import register_section
    from deliberation.members.erasure import erase_member

    def stall(ctx):
        open(sys.argv[2], "w").write("halfway")
        time.sleep(120)

    # after every app's eraser, before the member row is anonymised
    register_section("test.stall", title="stall", erase=stall, order=950)
    erase_member(member_id=int(sys.argv[1]))
    """
)


@pytest.mark.django_db(transaction=True)
def test_an_erasure_killed_halfway_leaves_nothing_half_done_and_runs_again(
    tree, tmp_path
):
    member = MemberFactory(full_name=NAME, email=EMAIL, units=[tree["branch"]])
    thread = create_thread(title="Tråd", unit=tree["branch"], actor=member)
    comment = post_comment(thread=thread, author=member, body="Mina ord.")
    marker = tmp_path / "halfway"
    db = connection.settings_dict
    url = (
        f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "deliberation.settings",
        "DATA_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_MIDWAY, str(member.pk), str(marker)],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the erasing process ended early"
            assert time.monotonic() < deadline, "the erasure never got halfway"
            time.sleep(0.1)
        # Halfway: every app's eraser has run in the other process, uncommitted.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    member.refresh_from_db()
    assert member.erased_at is None
    assert (member.full_name, member.email) == (NAME, EMAIL)
    assert Comment.objects.get(pk=comment.pk).body == "Mina ord."

    assert erase_member(member_id=member.pk)  # run again: all of it
    member.refresh_from_db()
    assert member.erased_at is not None
    assert member.full_name == ""
    assert Comment.objects.get(pk=comment.pk).body == ""
