"""Notifications of the congress, through the notification area's registries
(deliberation/notifications/kinds.py, emit.py):

* `answer_overdue` — to the proposal's followers, once per overdue request;
* `congress_decision` — to the proposal's followers and authors.

The subject is the congress item (read rule `congress.congressitem`: every member,
as the congress pages). Texts are rendered when shown, in the viewer's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.notifications.emit import notify
from deliberation.notifications.kinds import (
    Rendered,
    register_kind,
    register_read_rule,
)
from deliberation.notifications.rules import members_among

RULE = "congress.congressitem"


def _can_read(member, item) -> bool:
    from .permissions import can_read_congress

    return can_read_congress(member) and item.proposal.is_published


def _readers(item, ids) -> list[int]:
    return members_among(ids) if item.proposal.is_published else []


def _group(event) -> tuple[str, str]:
    data = event.data or {}
    return f"proposal:{data.get('proposal', '')}", data.get("title", "")


def render_overdue(event, viewer) -> Rendered:
    data = event.data or {}
    return Rendered(
        text=_("%(unit)s has not answered “%(title)s” in time: answer overdue")
        % {"unit": data.get("unit_name", ""), "title": data.get("title", "")},
        url=data.get("url", ""),
    )


def render_decision(event, viewer) -> Rendered:
    from .models import Decision

    data = event.data or {}
    decision = data.get("decision", "")
    label = str(Decision(decision).label) if decision in Decision.values else decision
    return Rendered(
        text=_("%(congress)s decided “%(title)s”: %(decision)s")
        % {
            "congress": data.get("congress_name", ""),
            "title": data.get("title", ""),
            "decision": label,
        },
        url=data.get("url", ""),
    )


def register() -> None:
    register_read_rule(
        RULE, can_read=_can_read, readers=_readers, related=("proposal",)
    )
    register_kind(
        "answer_overdue",
        label=gettext_lazy("A body's answer to a proposal you follow is overdue"),
        render=render_overdue,
        read_rule=RULE,
        group=_group,
    )
    register_kind(
        "congress_decision",
        label=gettext_lazy("The congress decided a proposal you follow"),
        default_channel="email",
        render=render_decision,
        read_rule=RULE,
        group=_group,
    )


def decision_recorded(*, item, actor) -> None:
    authors = list(
        item.proposal.authorships.filter(accepted_at__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    notify(
        "congress_decision",
        subject=item,
        actor=actor,
        recipients=authors,
        followers_of=(item.proposal,),
        key=f"congress_decision:{item.pk}",
        data={
            "item": item.pk,
            "congress": item.congress_id,
            "congress_name": item.congress.name,
            "proposal": item.proposal_id,
            "decision": item.decision,
            "title": item.proposal.title,
            "url": item.get_absolute_url(),
        },
    )


def answer_overdue(*, request) -> None:
    item = request.item
    notify(
        "answer_overdue",
        subject=item,
        followers_of=(item.proposal,),
        key=f"answer_overdue:{request.pk}",
        data={
            "item": item.pk,
            "congress": item.congress_id,
            "proposal": item.proposal_id,
            "unit": request.unit_id,
            "unit_name": request.unit.name,
            "title": item.proposal.title,
            "url": item.get_absolute_url(),
        },
    )
