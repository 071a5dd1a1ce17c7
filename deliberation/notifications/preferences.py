"""Each member's channel per kind: a row where they chose, else the kind's default."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .kinds import CHANNELS, all_kinds, kind_for
from .models import NotificationPreference


def default_channel(kind: str) -> str:
    spec = kind_for(kind)
    return spec.default_channel if spec else "off"


def channels_for(member_ids: list[int], kind: str) -> dict[int, str]:
    """{member id: channel} for one kind (one query)."""
    chosen = dict(
        NotificationPreference.objects.filter(
            member_id__in=member_ids, kind=kind
        ).values_list("member_id", "channel")
    )
    default = default_channel(kind)
    return {m: chosen.get(m, default) for m in member_ids}


def preferences_of(member) -> list[dict]:
    """[{"kind", "label", "channel"}] for every registered kind, in registry order."""
    chosen = dict(
        NotificationPreference.objects.filter(member=member).values_list(
            "kind", "channel"
        )
    )
    return [
        {
            "kind": k.kind,
            "label": str(k.label),
            "channel": chosen.get(k.kind, k.default_channel),
        }
        for k in all_kinds()
    ]


def set_preferences(member, items: list[dict]) -> list[dict]:
    """Set the channel of each given kind (the others stay); all or nothing."""
    errors = []
    for item in items:
        if kind_for(item.get("kind", "")) is None:
            errors.append(_("Unknown kind: %(k)s.") % {"k": item.get("kind")})
        elif item.get("channel") not in CHANNELS:
            errors.append(
                _("Unknown channel for %(k)s; use one of: %(c)s.")
                % {"k": item.get("kind"), "c": ", ".join(CHANNELS)}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for item in items:
            set_channel(member, item["kind"], item["channel"])
    return preferences_of(member)


def set_channel(member, kind: str, channel: str) -> None:
    NotificationPreference.objects.update_or_create(
        member=member, kind=kind, defaults={"channel": channel}
    )
