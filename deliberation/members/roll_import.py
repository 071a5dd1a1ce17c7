"""Import the membership roll from CSV: all or nothing, every bad row reported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Member, Membership, Unit
from .services import add_membership
from .tasks import send_invitation_task

REQUIRED = ["member_number", "full_name", "email", "unit_code"]


@dataclass
class RollRow:
    line: int
    member_number: str
    full_name: str
    email: str
    unit: Unit
    joined: date | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_roll(text: str) -> tuple[list[RollRow], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [_("line 1: missing column(s): %s") % ", ".join(missing)]
    units = {u.code: u for u in Unit.objects.all()}
    rows: list[RollRow] = []
    errors: list[str] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        problems = []
        number = rec.get("member_number", "")
        if not number:
            problems.append(_("member_number is empty"))
        elif number in seen_numbers:
            problems.append(
                _("duplicate member_number %(n)s (also on line %(l)d)")
                % {"n": number, "l": seen_numbers[number]}
            )
        if not rec.get("full_name"):
            problems.append(_("full_name is empty"))
        email = rec.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("bad e-mail address %r") % email)
        else:
            if email in seen_emails:
                problems.append(
                    _("duplicate e-mail %(e)s (also on line %(l)d)")
                    % {"e": email, "l": seen_emails[email]}
                )
        unit = units.get(rec.get("unit_code", ""))
        if unit is None:
            problems.append(_("unknown unit %r") % rec.get("unit_code", ""))
        joined = None
        if rec.get("joined"):
            try:
                joined = date.fromisoformat(rec["joined"])
            except ValueError:
                problems.append(_("joined must be a date like 2024-03-01"))
        if number:
            seen_numbers.setdefault(number, line)
        if email:
            seen_emails.setdefault(email, line)
        if problems or unit is None:
            errors.append(
                _("line %(line)d: %(problems)s")
                % {"line": line, "problems": "; ".join(problems)}
            )
        else:
            rows.append(RollRow(line, number, rec["full_name"], email, unit, joined))
    return rows, errors


def _email_taken_errors(rows: list[RollRow]) -> list[str]:
    by_email = {r.email: r for r in rows}
    clashes = Member.objects.filter(email__in=by_email).exclude(
        member_number__in=[r.member_number for r in rows]
    )
    return [
        _("line %(line)d: e-mail %(e)s belongs to another member")
        % {"line": by_email[m.email].line, "e": m.email}
        for m in clashes
        if m.email in by_email
    ]


def import_roll(text: str) -> ImportReport:
    rows, errors = parse_roll(text)
    errors += _email_taken_errors(rows)
    report = ImportReport(
        errors=sorted(errors, key=lambda e: int(e.split(":")[0].split()[-1]))
    )
    if errors:
        return report
    with transaction.atomic():
        existing = {
            m.member_number: m
            for m in Member.objects.filter(
                member_number__in=[r.member_number for r in rows]
            )
        }
        open_units = set(
            Membership.objects.filter(
                member__in=existing.values(), until__isnull=True
            ).values_list("member__member_number", "unit_id")
        )
        for row in rows:
            member = existing.get(row.member_number)
            if member is None:
                member = Member(
                    username=row.member_number,
                    member_number=row.member_number,
                    full_name=row.full_name,
                    email=row.email,
                )
                member.set_unusable_password()
                member.save()
                add_membership(member=member, unit=row.unit, since=row.joined)
                report.created += 1
                transaction.on_commit(partial(send_invitation_task.delay, member.pk))
                continue
            changed = False
            if (member.full_name, member.email) != (row.full_name, row.email):
                member.full_name, member.email = row.full_name, row.email
                member.save(update_fields=["full_name", "email"])
                changed = True
            if (row.member_number, row.unit.pk) not in open_units:
                add_membership(member=member, unit=row.unit, since=row.joined)
                changed = True
            report.updated += changed
            report.unchanged += not changed
    return report
