""" "Needs my action": the page `/needs-action/` and the home-page block, both from
`deliberation.notifications.needs_action.needs_action_for` (the API and the digests
ask the same function)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.inputs import query_int
from deliberation.notifications.needs_action import ActionItem, needs_action_for

WINDOWS = (7, 14, 31)
HOME_LIMIT = 6

KIND_LABELS = {
    "vote": _("Vote"),
    "support": _("Support"),
    "coauthor": _("Co-author"),
    "amendment": _("Amendment"),
    "reply": _("Reply"),
    "session": _("Live session"),
    "flag": _("Flag"),
    "appeal": _("Appeal"),
}


def _shown(items: list[ActionItem]) -> list[dict]:
    return [
        {
            "item": item,
            "label": KIND_LABELS.get(item.kind, item.kind),
        }
        for item in items
    ]


@login_required
def needs_action_page(request: HttpRequest) -> HttpResponse:
    days = query_int(request.GET, "days", minimum=1, maximum=WINDOWS[-1], default=7)
    until = timezone.now() + timedelta(days=days)
    items = needs_action_for(request.user, until)
    windows = sorted({*WINDOWS, days})
    return render(
        request,
        "notifications/needs_action.html",
        {"entries": _shown(items), "days": days, "windows": windows},
    )


def home_block(request: HttpRequest) -> dict | None:
    """The home page's "Waiting for you": the first few things the member can act
    on, each saying what to do (in place of a list of open proposals, where many
    could not be acted on at all)."""
    if not request.user.is_authenticated:
        return None
    items = needs_action_for(request.user)
    return {
        "template": "notifications/_needs_action_block.html",
        "entries": _shown(items[:HOME_LIMIT]),
        "total": len(items),
        "more": len(items) > HOME_LIMIT,
    }
