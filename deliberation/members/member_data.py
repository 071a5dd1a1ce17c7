"""The members app's own personal data: profile, memberships, roles, the account's
sign-in records (tokens, sessions, submission keys) and the data exports — exported,
erased and pruned through the registry (`personal_data.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from .models import (
    DataExport,
    Member,
    Membership,
    RoleAssignment,
    SubmissionKey,
)
from .personal_data import ErasureContext, Stored, register_pruner, register_section


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_profile(member: Member) -> Iterator[dict]:
    yield {
        "id": member.pk,
        "username": member.username,
        "full_name": member.full_name,
        "email": member.email,
        "member_number": member.member_number,
        "language": member.language,
        "joined": _iso(member.date_joined),
        "last_login": _iso(member.last_login),
        "invited": _iso(member.invited_at),
    }


def export_memberships(member: Member) -> Iterator[dict]:
    qs = Membership.objects.filter(member=member).select_related("unit")
    for m in qs.order_by("since", "id").iterator(chunk_size=500):
        yield {
            "unit": m.unit.name,
            "unit_code": m.unit.code,
            "since": _iso(m.since),
            "until": _iso(m.until),
        }


def export_roles(member: Member) -> Iterator[dict]:
    qs = RoleAssignment.objects.filter(member=member).select_related("unit")
    for r in qs.order_by("starts", "id").iterator(chunk_size=500):
        yield {
            "role": r.role,
            "unit": r.unit.name,
            "starts": _iso(r.starts),
            "ends": _iso(r.ends),
            "ended_early": _iso(r.ended_at),
            "reason": r.reason,
        }


def erase_memberships(ctx: ErasureContext) -> None:
    Membership.objects.filter(member=ctx.member).delete()


def erase_roles(ctx: ErasureContext) -> None:
    """Roles are public and stay, under the name, on the name-only public row."""
    mine = RoleAssignment.objects.filter(member=ctx.member)
    granted = RoleAssignment.objects.filter(granted_by=ctx.member)
    ended = RoleAssignment.objects.filter(ended_by=ctx.member)
    if mine.exists() or granted.exists() or ended.exists():
        holder = ctx.public_holder()
        mine.update(member=holder)
        granted.update(granted_by=holder)
        ended.update(ended_by=holder)


def erase_account(ctx: ErasureContext) -> None:
    """Sign-in tokens, sessions, one-time submission keys and data exports."""
    from rest_framework.authtoken.models import Token

    member = ctx.member
    Token.objects.filter(user=member).delete()
    SubmissionKey.objects.filter(member=member).delete()
    for export in DataExport.objects.filter(member=member):
        delete_export_file(export)
    DataExport.objects.filter(member=member).delete()
    # Sessions hold only the member's id, but they are theirs: end every one.
    pk = str(member.pk)
    doomed = []
    for session in Session.objects.filter(expire_date__gt=ctx.now).iterator(
        chunk_size=1000
    ):
        if session.get_decoded().get("_auth_user_id") == pk:
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()


def delete_export_file(export: DataExport) -> None:
    if export.file_name:
        (settings.DATA_EXPORT_DIR / export.file_name).unlink(missing_ok=True)


def prune_sessions(now: datetime) -> int:
    deleted, _rows = Session.objects.filter(expire_date__lt=now).delete()
    return deleted


def prune_submission_keys(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.SUBMISSION_KEY_RETENTION_DAYS)
    deleted, _rows = SubmissionKey.objects.filter(created__lt=cutoff).delete()
    return deleted


def prune_exports(now: datetime) -> int:
    from .models import ExportState

    n = 0
    for export in DataExport.objects.filter(
        state=ExportState.READY, expires__lte=now
    ).iterator(chunk_size=200):
        delete_export_file(export)
        DataExport.objects.filter(pk=export.pk).update(
            state=ExportState.EXPIRED, file_name="", size=0
        )
        n += 1
    # Expired and failed entries are kept a while for the member's page, then go.
    cutoff = now - timedelta(days=settings.DATA_EXPORT_RETENTION_DAYS)
    deleted, _rows = DataExport.objects.filter(
        state__in=[ExportState.EXPIRED, ExportState.FAILED], created__lt=cutoff
    ).delete()
    return n + deleted


def register() -> None:
    register_section(
        "members.profile",
        title=_("Profile"),
        export=export_profile,
        order=10,
        stores=[
            Stored(
                "Name, username, e-mail address, member number, language",
                "to sign in, to be named beside what you write, to reach you",
                "as long as you are a member; erased on request",
            ),
            Stored(
                "Date joined, last sign-in, invitation date",
                "to run the account",
                "as long as you are a member; erased on request",
            ),
        ],
    )
    register_section(
        "members.memberships",
        title=_("Memberships"),
        export=export_memberships,
        erase=erase_memberships,
        order=11,
        stores=[
            Stored(
                "Memberships of units (which branch, since, until)",
                "who may propose, support, comment and vote where",
                "as long as you are a member; deleted on erasure",
            )
        ],
    )
    register_section(
        "members.roles",
        title=_("Roles"),
        export=export_roles,
        erase=erase_roles,
        order=12,
        stores=[
            Stored(
                "Roles held (facilitator, moderator, delegate, administrator), "
                "with term and reason",
                "roles are public by design: members see who holds power",
                "permanently, as part of the public record (kept under the name "
                "after erasure)",
            )
        ],
    )
    register_section(
        "members.account",
        title=_("Sign-in"),
        erase=erase_account,
        order=900,
        stores=[
            Stored(
                "Failed sign-in attempts and the addresses they came from (counted "
                "as hashes in Redis), and the addresses you signed in from",
                "to stop password guessing without locking you out",
                "failures `LOGIN_LOCKOUT_SECONDS` (15 minutes); known addresses "
                "`LOGIN_KNOWN_ADDRESS_DAYS` (30 days); they expire by themselves",
            ),
            Stored(
                "Sessions and API tokens",
                "to keep you signed in",
                "sessions until they expire (`SESSION_COOKIE_AGE`, 2 weeks), then "
                "pruned daily; tokens until erasure",
            ),
            Stored(
                "One-time submission keys (against double posting)",
                "so a retried request does not post twice",
                "`SUBMISSION_KEY_RETENTION_DAYS` (7 days)",
            ),
            Stored(
                "Your data exports (ZIP files)",
                "so you can download your data",
                "`DATA_EXPORT_EXPIRY_HOURS` (48 hours), then the file is deleted",
            ),
        ],
    )
    register_pruner("members.sessions", prune_sessions)
    register_pruner("members.submission_keys", prune_submission_keys)
    register_pruner("members.exports", prune_exports)
