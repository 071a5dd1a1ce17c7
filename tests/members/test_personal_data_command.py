"""`manage.py personal_data`: an administrator handles a request made outside Torget
— export or erase, exactly as the member could — recorded in the audit log without
naming the member. And the retention pruner."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from deliberation.members.models import ErasureRequest, Member, SubmissionKey
from deliberation.members.retention import prune_personal_data

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("personal_data", *args, stdout=out)
    return out.getvalue()


def test_export_on_request_writes_the_archive_and_is_audited(
    member, admin_member, tmp_path
):
    target = tmp_path / "data.zip"
    _run(
        "export",
        member.email,
        "--output",
        str(target),
        "--by",
        admin_member.username,
        "--reference",
        "brev 2026-41",
    )
    with zipfile.ZipFile(target) as archive:
        assert "json/members.profile.json" in archive.namelist()
    entry = AuditEntry.objects.get(action="personal_data.export")
    assert entry.actor == admin_member
    assert "brev 2026-41" in entry.summary
    assert member.full_name not in entry.summary


def test_erase_on_request_now_or_after_a_grace_period(member, admin_member):
    name = member.full_name
    _run(
        "erase",
        member.username,
        "--grace-days",
        "3",
        "--by",
        admin_member.username,
        "--reference",
        "mejl 17",
    )
    pending = ErasureRequest.objects.get(member=member)
    assert pending.by_administrator
    assert AuditEntry.objects.filter(action="personal_data.schedule").exists()
    _run("cancel", member.username, "--by", admin_member.username, "--reference", "x")
    assert not ErasureRequest.objects.exists()

    _run(
        "erase",
        member.username,
        "--grace-days",
        "0",
        "--by",
        admin_member.username,
        "--reference",
        "mejl 18",
    )
    assert Member.objects.get(pk=member.pk).erased_at is not None
    entry = AuditEntry.objects.get(action="personal_data.erase")
    assert entry.actor == admin_member
    assert name not in entry.summary
    assert entry.target_id == ""


def test_the_command_refuses_without_an_administrator_or_reference(member):
    with pytest.raises(CommandError):
        _run("erase", member.username)
    with pytest.raises(CommandError):
        _run("erase", "nobody-at-all", "--by", member.username, "--reference", "r")


def test_the_table_command_prints_the_readme_table():
    table = _run("table")
    assert table.startswith("| what | why | how long |")
    assert "Comments with their stance and edit history" in table


def test_the_readme_lists_every_kind_of_personal_data():
    from pathlib import Path

    from deliberation.members.personal_data import stored_kinds

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for kind in stored_kinds():
        row = f"| {kind.what} | {kind.why} | {kind.kept} |"
        assert row in readme, f"README misses: {row}"


def test_pruning_removes_old_sessions_and_submission_keys(member, settings):
    settings.SUBMISSION_KEY_RETENTION_DAYS = 7
    old = SessionStore()
    old["_auth_user_id"] = str(member.pk)
    old.create()
    fresh = SessionStore()
    fresh.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    key = SubmissionKey.objects.create(member=member, key="k" * 16, target="t")
    SubmissionKey.objects.filter(pk=key.pk).update(
        created=timezone.now() - timedelta(days=8)
    )
    SubmissionKey.objects.create(member=member, key="n" * 16, target="t")

    done = prune_personal_data()
    assert done["members.sessions"] >= 1
    assert done["members.submission_keys"] == 1
    assert not Session.objects.filter(session_key=old.session_key).exists()
    assert Session.objects.filter(session_key=fresh.session_key).exists()
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["n" * 16]
