"""The congress's answers to proposals' hooks: forward a national proposal adopted by
the members' vote, and a lower unit's proposal whose support reaches the national
admission quorum, to every congress taking items at that moment. A failure here is
logged and caught up by the sweep (`congress.sweep`), never blocking the move."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def proposal_state_changed(*, proposal, from_state, to_state, at, cause) -> None:
    if to_state not in ("adopted", "rejected"):
        return
    from .services.forwarding import forward_adopted, refresh_snapshots

    try:
        with transaction.atomic():
            refresh_snapshots(proposal=proposal)
            if to_state == "adopted" and proposal.unit.parent_id is None:
                forward_adopted(proposal=proposal, at=at)
    except Exception:
        logger.exception("proposal %s: could not forward it to congress", proposal.pk)


def proposal_support_counted(*, proposal) -> None:
    if proposal.unit.parent_id is None:
        return
    from .services.forwarding import forward_if_quorum

    try:
        with transaction.atomic():
            forward_if_quorum(proposal=proposal)
    except Exception:
        logger.exception("proposal %s: could not forward it to congress", proposal.pk)


def register_notifications() -> None:
    """Register the congress's notification kinds once the notification area
    offers `register_kind` (deliberation/notifications/emit.py)."""
    from .notify import register

    register()
