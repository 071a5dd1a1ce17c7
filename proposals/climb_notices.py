"""How a climb is told to the proposal's followers (deliberation/notifications,
docs/notifications.md): `proposal_climbed`, raised in `services/climbing.py` inside
the support's transaction. Who may read it is the proposal's own read rule
(`notifying.py`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.notifications.kinds import Rendered, register_kind


def render_climbed(event, viewer) -> Rendered:
    data = event.data or {}
    return Rendered(
        text=_(
            "“%(title)s” climbed from %(from)s to %(to)s: its supporters come from "
            "%(units)s units"
        )
        % {
            "title": data.get("title", ""),
            "from": data.get("from_name", ""),
            "to": data.get("to_name", ""),
            "units": data.get("units", ""),
        },
        url=reverse("proposal_spread", args=[event.subject_id]),
    )


def _group(event) -> tuple[str, str]:
    return f"proposal:{event.subject_id}", (event.data or {}).get("title", "")


def register() -> None:
    register_kind(
        "proposal_climbed",
        label=gettext_lazy("A proposal you follow climbs to a higher unit"),
        default_channel="in_app",
        render=render_climbed,
        group=_group,
    )
