"""What delegations tell members, through the notifications system
(deliberation/notifications, docs/notifications.md): a trustee that someone gave
them their vote (`delegation_received`), a giver that their delegation expires soon
(`delegation_expiring`). Raised inside the services' transactions (the outbox)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.members.models import Member
from deliberation.notifications.emit import notify
from deliberation.notifications.kinds import (
    Rendered,
    register_kind,
    register_read_rule,
)

from .models import Delegation, DelegationTrustee


def _scope(d: Delegation) -> dict:
    return {
        "scope_name": str(d.unit or d.topic),
        "unit": d.unit_id,
        "topic": d.topic_id,
        "expires": d.expires.isoformat(),
    }


def received(delegation: Delegation, trustees: Sequence[int]) -> None:
    """To each newly named trustee (with their rank: trustee or fallback)."""
    ranks = dict(
        DelegationTrustee.objects.filter(delegation=delegation).values_list(
            "trustee_id", "rank"
        )
    )
    for trustee in trustees:
        notify(
            "delegation_received",
            subject=delegation,
            actor=delegation.truster,
            recipients=[trustee],
            key=f"delegation_received:{delegation.pk}:{trustee}",
            data=_scope(delegation) | {"rank": ranks.get(trustee, 0)},
        )


def expiring(delegations: Iterable[Delegation]) -> None:
    """To each giver, once per delegation and expiry date."""
    for d in delegations:
        notify(
            "delegation_expiring",
            subject=d,
            actor=None,
            recipients=[d.truster_id],
            key=f"delegation_expiring:{d.pk}:{d.expires.isoformat()}",
            data=_scope(d),
        )


def _graph_url(data: dict) -> str:
    base = reverse("delegation_graph")
    if data.get("topic"):
        return f"{base}?topic={data['topic']}"
    return f"{base}?unit={data.get('unit', '')}"


def render_received(event, viewer) -> Rendered:
    actor = event.actor.display_name if event.actor else _("Someone")
    data = event.data or {}
    text = (
        _("%(actor)s delegated their vote to you for %(scope)s")
        if not data.get("rank")
        else _("%(actor)s named you a fallback for their vote for %(scope)s")
    )
    return Rendered(
        text=text % {"actor": actor, "scope": data.get("scope_name", "")},
        url=_graph_url(data),
    )


def render_expiring(event, viewer) -> Rendered:
    data = event.data or {}
    when = parse_datetime(data.get("expires", ""))
    return Rendered(
        text=_(
            "Your delegation for %(scope)s expires on %(date)s: renew it in your "
            "settings to keep it."
        )
        % {
            "scope": data.get("scope_name", ""),
            "date": formats.date_format(timezone.localtime(when), "DATE_FORMAT")
            if when
            else "",
        },
        url=reverse("settings") + "#delegations",
    )


def _can_read(member: Member, delegation: Delegation) -> bool:
    """The giver and the trustees (the graph shows the rest to members)."""
    if member.pk == delegation.truster_id:
        return True
    return DelegationTrustee.objects.filter(
        delegation=delegation, trustee_id=member.pk
    ).exists()


def _readers(delegation: Delegation, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    trustees = set(
        DelegationTrustee.objects.filter(
            delegation=delegation, trustee_id__in=wanted
        ).values_list("trustee_id", flat=True)
    )
    return (trustees | {delegation.truster_id}) & wanted


def register() -> None:
    register_read_rule("delegations.delegation", can_read=_can_read, readers=_readers)
    register_kind(
        "delegation_received",
        label=gettext_lazy("Someone delegates their vote to you"),
        render=render_received,
        default_channel="in_app",
    )
    register_kind(
        "delegation_expiring",
        label=gettext_lazy("A delegation you gave expires soon"),
        render=render_expiring,
        default_channel="email",
    )
