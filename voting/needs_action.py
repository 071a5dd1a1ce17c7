""" "Needs my action" for voting (deliberation/notifications/needs_action.py): open
polls closing within the window where the member is on the voter roll and has not
voted yet. One query."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from deliberation.notifications.needs_action import ActionItem, when

from . import permissions
from .models import Participation, Poll, PollState, VoterRoll


def polls_to_vote_in(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    if not permissions.can_read_poll(member, None):
        return []
    polls = (
        Poll.objects.filter(
            state=PollState.OPEN, opens__lte=now, closes__gt=now, closes__lte=until
        )
        .filter(Exists(VoterRoll.objects.filter(poll=OuterRef("pk"), member=member)))
        .exclude(
            Exists(Participation.objects.filter(poll=OuterRef("pk"), member=member))
        )
        .only("id", "title", "closes")
        .order_by("closes", "id")
    )
    return [
        ActionItem(
            kind="vote",
            deadline=poll.closes,
            action=_("Vote before %(when)s") % {"when": when(poll.closes, now)},
            title=poll.title,
            url=poll.get_absolute_url(),
            object_type="poll",
            object_id=poll.pk,
        )
        for poll in polls
    ]
