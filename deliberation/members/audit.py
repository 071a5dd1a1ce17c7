"""How the members area's audit entries read (deliberation/audit/registry.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deliberation.audit.registry import Ref, register_action, register_ref_kind
from deliberation.audit.rendering import url_or_none, when

from .models import Member, Role, Unit


def _members(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = Member.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(m.pk): (m.display_name, url_or_none("member_profile", m.pk)) for m in rows
    }


def _units(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = Unit.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {str(u.pk): (u.name, reverse("unit_detail", args=[u.pk])) for u in rows}


def role_name(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def register() -> None:
    register_ref_kind("member", _members)
    register_ref_kind("unit", _units)
    register_action(
        "role.granted",
        label=_("Role granted"),
        message=_(
            "Gave %(member)s the role %(role)s in %(unit)s, from %(starts)s to %(ends)s"
        ),
        values=lambda e: {
            "member": Ref("member", e.data.get("member")),
            "role": role_name(e.data.get("role", "")),
            "starts": when(e.data.get("starts")),
            "ends": when(e.data.get("ends")),
        },
    )
    register_action(
        "role.ended",
        label=_("Role ended"),
        message=_("Ended the role %(role)s of %(member)s in %(unit)s"),
        values=lambda e: {
            "member": Ref("member", e.data.get("member")),
            "role": role_name(e.data.get("role", "")),
        },
    )
