"""What a rule proposal may change, and how its clauses read (docs/flat.md).

A rule proposal's clauses are structured: `{"field", "value"}`, one policy field each.
The values are checked exactly as the policy form checks them (the model's
validators), and each clause reads as a sentence in the language it was written in
("att antagningskvorum blir 5 %")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Majority, Policy
from .models.policies import BallotKind

# The fields members may change by vote; share fields are fractions in 0…1.
RULE_FIELDS = [
    "admission_quorum",
    "support_days",
    "discussion_days",
    "freeze_days",
    "voting_days",
    "majority",
    "turnout_quorum",
    "ballot",
    "delegation_allowed",
    "delegation_cap",
    "delegation_days",
    "amendment_quorum",
    "rules_majority",
    "climb_units",  # docs/flat.md, "Ideas climb"
]
SHARE_FIELDS = {"admission_quorum", "turnout_quorum", "amendment_quorum"}
DAY_FIELDS = {
    "support_days",
    "discussion_days",
    "freeze_days",
    "voting_days",
    "delegation_days",
}
CHOICE_FIELDS: dict[str, Any] = {
    "majority": Majority,
    "rules_majority": Majority,
    "ballot": BallotKind,
}
MAX_RULE_CHANGES = 20


def field_label(field: str) -> str:
    return str(Policy._meta.get_field(field).verbose_name)  # type: ignore[union-attr]


def parse_value(field: str, raw: object) -> object:
    """The value for `field` as the model stores it, or ValidationError."""
    if field in SHARE_FIELDS:
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise ValidationError(
                _("Give a share between 0 and 1, e.g. 0.05.")
            ) from None
        if not value.is_finite():
            raise ValidationError(_("Give a share between 0 and 1, e.g. 0.05."))
        return value.quantize(Decimal("0.0001"))
    if field in CHOICE_FIELDS:
        choices = CHOICE_FIELDS[field]
        if raw not in choices.values:
            raise ValidationError(
                _("Choose one of: %(c)s.") % {"c": ", ".join(choices.values)}
            )
        return raw
    if field == "delegation_allowed":
        if not isinstance(raw, bool):
            raise ValidationError(_("Give true or false."))
        return raw
    if field == "delegation_cap" and raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationError(_("Give a whole number."))
    return raw


def clean_rule_changes(changes: object) -> list[dict]:
    """Checked `[{"field", "value"}]` (JSON-ready), each field at most once; a
    ValidationError names the clause and the problem."""
    if not isinstance(changes, list) or not changes:
        raise ValidationError(
            {"clauses": [_("A rule proposal changes at least one rule.")]}
        )
    if len(changes) > MAX_RULE_CHANGES:
        raise ValidationError(
            {"clauses": [_("At most %(n)d rule changes.") % {"n": MAX_RULE_CHANGES}]}
        )
    cleaned: list[dict] = []
    seen: set[str] = set()
    probe = Policy()
    for number, change in enumerate(changes, 1):
        if not isinstance(change, dict) or set(change) != {"field", "value"}:
            raise ValidationError(
                {
                    "clauses": [
                        _('Clause %(n)d: give {"field", "value"}.') % {"n": number}
                    ]
                }
            )
        field = change["field"]
        if field not in RULE_FIELDS:
            raise ValidationError(
                {
                    "clauses": [
                        _("Clause %(n)d: %(f)s is not a rule members can change.")
                        % {"n": number, "f": str(field)[:60]}
                    ]
                }
            )
        if field in seen:
            raise ValidationError(
                {
                    "clauses": [
                        _("Clause %(n)d: that rule is changed twice.") % {"n": number}
                    ]
                }
            )
        seen.add(field)
        try:
            value = parse_value(field, change["value"])
            setattr(probe, field, value)
            probe.clean_fields(exclude=[f for f in _all_fields() if f != field])
        except ValidationError as exc:
            messages = (
                exc.message_dict.get(field, exc.messages)
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise ValidationError(
                {
                    "clauses": [
                        _("Clause %(n)d (%(f)s): %(e)s")
                        % {
                            "n": number,
                            "f": field_label(field),
                            "e": " ".join(messages),
                        }
                    ]
                }
            ) from None
        cleaned.append({"field": field, "value": _json(value)})
    return cleaned


def _all_fields() -> list[str]:
    return [f.name for f in Policy._meta.get_fields() if getattr(f, "concrete", False)]


def _json(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def shown_value(field: str, value: object) -> str:
    if value is None:
        return _("no cap")
    if field in SHARE_FIELDS:
        percent = (Decimal(str(value)) * 100).normalize()
        return f"{percent:f} %"
    if field in CHOICE_FIELDS:
        return str(CHOICE_FIELDS[field](value).label)
    if field == "delegation_allowed":
        return _("yes") if value else _("no")
    if field in DAY_FIELDS:
        return _("%(n)s days") % {"n": value}
    return str(value)


def clause_text(change: dict) -> str:
    """'att antagningskvorum blir 5 %' / 'that the admission quorum becomes 5 %'."""
    return _("that “%(rule)s” becomes %(value)s") % {
        "rule": field_label(change["field"]),
        "value": shown_value(change["field"], change["value"]),
    }
