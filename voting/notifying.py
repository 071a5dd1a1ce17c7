"""Voting's notifications: a poll opened (to its voter roll), a reminder 24 hours
before it closes (to those on the roll who have not voted), its result (to the roll
and the followers of its proposals). The roll is resolved at delivery (`audience`),
never listed in the event. Polls are for members (docs/permissions.md), so the read
rule is membership. Registered from `VotingConfig.ready`."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.notifications.emit import notify
from deliberation.notifications.kinds import (
    Rendered,
    register_kind,
    register_read_rule,
)
from deliberation.notifications.models import NotificationEvent
from deliberation.notifications.rules import members_among

from .models import Participation, Poll, PollState, VoterRoll

REMIND_BEFORE = timedelta(hours=24)


def _url(event) -> str:
    return reverse("poll_detail", args=[event.subject_id])


def _closes(event) -> str:
    raw = event.data.get("closes")
    if not raw:
        return ""
    from datetime import datetime

    try:
        when = timezone.localtime(datetime.fromisoformat(raw))
    except ValueError:
        return raw
    return formats.date_format(when, "DATETIME_FORMAT")


def render_opened(event, viewer) -> Rendered:
    return Rendered(
        text=_("Voting has opened: “%(title)s” (closes %(closes)s)")
        % {"title": event.data.get("title", ""), "closes": _closes(event)},
        url=_url(event),
    )


def render_closing(event, viewer) -> Rendered:
    return Rendered(
        text=_("You have not voted yet: “%(title)s” closes %(closes)s")
        % {"title": event.data.get("title", ""), "closes": _closes(event)},
        url=_url(event),
    )


def render_result(event, viewer) -> Rendered:
    return Rendered(
        text=_("The result of “%(title)s” is in")
        % {"title": event.data.get("title", "")},
        url=_url(event),
    )


def roll(event, poll: Poll | None):
    if poll is None:
        return []
    return VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True)


def not_voted(event, poll: Poll | None):
    if poll is None or poll.state != PollState.OPEN:
        return []
    voted = Participation.objects.filter(poll=poll).values("member_id")
    return (
        VoterRoll.objects.filter(poll=poll)
        .exclude(member_id__in=voted)
        .values_list("member_id", flat=True)
    )


def poll_group(event) -> tuple[str, str]:
    proposal = event.data.get("proposal")
    if proposal:
        return f"proposal:{proposal}", event.data.get("proposal_title", "")
    return f"poll:{event.subject_id}", event.data.get("title", "")


def register() -> None:
    register_read_rule(
        "voting.poll",
        can_read=lambda member, poll: bool(members_among([member.pk])),
        readers=lambda poll, ids: members_among(ids),
    )
    register_kind(
        "poll_opened",
        label=gettext_lazy("Voting opens on something you may vote on"),
        default_channel="email",
        render=render_opened,
        audience=roll,
        group=poll_group,
    )
    register_kind(
        "poll_closing",
        label=gettext_lazy(
            "A reminder 24 hours before a poll closes, if you have not voted"
        ),
        default_channel="email",
        render=render_closing,
        audience=not_voted,
        group=poll_group,
    )
    register_kind(
        "poll_result",
        label=gettext_lazy("The result of a poll you could vote in or follow"),
        default_channel="in_app",
        render=render_result,
        audience=roll,
        group=poll_group,
    )


def _data(poll: Poll) -> dict:
    data = {"title": poll.title, "closes": poll.closes.isoformat(), "poll": poll.pk}
    if poll.proposal is not None:
        data |= {"proposal": poll.proposal_id, "proposal_title": poll.proposal.title}
    return data


def _followers(poll: Poll) -> list:
    proposals = list(poll.proposals.select_related("thread"))
    if poll.proposal is not None and all(p.pk != poll.proposal_id for p in proposals):
        proposals.append(poll.proposal)
    return [*proposals, *(p.thread for p in proposals if p.thread_id)]


def poll_opened(poll: Poll) -> None:
    """Inside the opening transaction, once the roll is frozen."""
    notify("poll_opened", subject=poll, key=f"poll_opened:{poll.pk}", data=_data(poll))


def poll_closed(poll: Poll) -> None:
    """Inside the closing transaction (the result stored)."""
    notify(
        "poll_result",
        subject=poll,
        followers_of=_followers(poll),
        key=f"poll_result:{poll.pk}",
        data=_data(poll),
    )


def remind_closing(*, now=None) -> int:
    """Beat: for each open poll closing within 24 hours, raise its reminder once
    (the event key). Returns how many reminders were raised."""
    now = now or timezone.now()
    due = Poll.objects.filter(
        state=PollState.OPEN, closes__gt=now, closes__lte=now + REMIND_BEFORE
    ).select_related("proposal")
    raised = 0
    for poll in due:
        key = f"poll_closing:{poll.pk}"
        if NotificationEvent.objects.filter(key=key).exists():
            continue
        try:
            notify("poll_closing", subject=poll, key=key, data=_data(poll))
            raised += 1
        except IntegrityError:
            continue
    return raised
