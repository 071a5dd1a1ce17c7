"""Requests made outside Torget (a letter, an e-mail to the party): an administrator
exports or erases a member's personal data exactly as the member could themselves
(docs/personal-data.md). Every run is recorded in the public audit log with the
administrator and the request's reference — and without the member, so the record
of an erasure names nobody."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from deliberation.audit.services import record_audit
from deliberation.errors import ServiceError
from deliberation.members.erasure import cancel_erasure, request_erasure
from deliberation.members.exports import write_archive
from deliberation.members.models import Member
from deliberation.members.personal_data import personal_data_table


def find_member(who: str) -> Member:
    matches = list(
        Member.objects.filter(
            Q(username=who) | Q(email__iexact=who) | Q(member_number=who),
            erased_at__isnull=True,
        )[:2]
    )
    if len(matches) != 1:
        raise CommandError(
            f"{who!r} names {'no' if not matches else 'more than one'} member "
            "(give a username, e-mail address or member number)"
        )
    return matches[0]


class Command(BaseCommand):
    help = (
        "A member's personal data on a request made outside Torget: "
        "export MEMBER --output FILE.zip | erase MEMBER [--grace-days N] "
        "[--keep-comments] | cancel MEMBER | table (the README's table). "
        "export, erase and cancel need --by ADMIN and --reference REF (audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase", "cancel", "table"])
        parser.add_argument("member", nargs="?")
        parser.add_argument("--output", type=Path)
        parser.add_argument("--grace-days", type=int, default=None)
        parser.add_argument("--keep-comments", action="store_true")
        parser.add_argument("--by", help="the administrator handling the request")
        parser.add_argument("--reference", default="", help="the request's reference")

    def handle(self, *args, action: str, **options):
        if action == "table":
            self.stdout.write(personal_data_table())
            return
        if not options["member"]:
            raise CommandError("name the member")
        if not options["by"] or not options["reference"].strip():
            raise CommandError("--by ADMIN and --reference REF are required")
        admin = find_member(options["by"])
        member = find_member(options["member"])
        reference = options["reference"].strip()[:200]
        if action == "export":
            self._export(admin, member, options["output"], reference)
        elif action == "erase":
            self._erase(admin, member, options, reference)
        else:
            with transaction.atomic():
                if not cancel_erasure(member=member):
                    raise CommandError("no erasure is pending for this member")
                self._audit(admin, "personal_data.cancel", reference)
            self.stdout.write(self.style.SUCCESS("erasure cancelled"))

    def _audit(self, admin: Member, action: str, reference: str) -> None:
        summaries = {
            "personal_data.export": "Exported a member's personal data on request",
            "personal_data.erase": "Erased a member's personal data on request",
            "personal_data.schedule": (
                "Scheduled the erasure of a member's personal data on request"
            ),
            "personal_data.cancel": "Cancelled an erasure on request",
        }
        record_audit(
            actor=admin,
            action=action,
            summary=f"{summaries[action]} ({reference})",
            reason=reference,
        )

    def _export(self, admin, member, output: Path | None, reference: str) -> None:
        if output is None:
            raise CommandError("--output FILE.zip is required")
        try:
            write_archive(member, output)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}") from exc
        self._audit(admin, "personal_data.export", reference)
        self.stdout.write(self.style.SUCCESS(f"written {output}"))

    def _erase(self, admin, member, options, reference: str) -> None:
        try:
            with transaction.atomic():
                pending = request_erasure(
                    member=member,
                    keep_comments=options["keep_comments"],
                    by_administrator=True,
                    grace_days=options["grace_days"],
                )
                self._audit(
                    admin,
                    "personal_data.erase"
                    if pending is None
                    else "personal_data.schedule",
                    reference,
                )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        if pending is None:
            self.stdout.write(self.style.SUCCESS("erased"))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"erasure scheduled for {pending.erase_at:%Y-%m-%d %H:%M}"
                )
            )
