"""Notifications of the congress: `answer_overdue` (to the proposal's followers)
and `congress_decision` (to its followers and authors), through the notification
area's `emit.notify` once it exists (deliberation/notifications/emit.py); until then
these are no-ops and say so in the log once."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

KINDS = {
    "answer_overdue": _("A body's answer to a proposal you follow is overdue"),
    "congress_decision": _("The congress decided a proposal you follow"),
}


def _emit():
    try:
        from deliberation.notifications import emit  # type: ignore[attr-defined]
    except ImportError:
        return None
    return emit


def register() -> None:
    emit = _emit()
    if emit is None or not hasattr(emit, "register_kind"):
        return
    for kind, label in KINDS.items():
        emit.register_kind(kind, label=label)


def _send(kind: str, **kwargs) -> None:
    emit = _emit()
    if emit is None:
        logger.debug("notifications not available: %s not sent", kind)
        return
    emit.notify(kind, **kwargs)


def decision_recorded(*, item, actor) -> None:
    authors = list(
        item.proposal.authorships.filter(accepted_at__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    _send(
        "congress_decision",
        subject=item.proposal,
        actor=actor,
        recipients=authors,
        followers_of=(item.proposal,),
        key=f"congress_decision:{item.pk}",
        data={
            "item": item.pk,
            "congress": item.congress_id,
            "decision": item.decision,
            "title": item.proposal.title,
            "url": item.get_absolute_url(),
        },
    )


def answer_overdue(*, request) -> None:
    item = request.item
    _send(
        "answer_overdue",
        subject=item.proposal,
        followers_of=(item.proposal,),
        key=f"answer_overdue:{request.pk}",
        data={
            "item": item.pk,
            "congress": item.congress_id,
            "unit": request.unit_id,
            "title": item.proposal.title,
            "url": item.get_absolute_url(),
        },
    )
