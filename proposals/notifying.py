"""Proposals' notifications: the kinds, their read rule (the pages' rule,
`permissions.can_read_proposal`) and what raises them — a new proposal to the
followers of its unit and topics, a state change or a reached quorum to the
followers of the proposal and of its thread (authors and commenters, who follow
automatically). Registered from `ProposalsConfig.ready`; raised by `_transition`
inside its transaction."""

from __future__ import annotations

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.notifications.emit import notify
from deliberation.notifications.kinds import (
    Rendered,
    register_kind,
    register_read_rule,
)
from deliberation.notifications.rules import members_among

from . import permissions
from .models import Proposal, ProposalAuthor, State


def proposal_readers(proposal: Proposal, ids) -> list[int]:
    members = members_among(ids)
    if proposal.is_published:
        return members
    authors = set(
        ProposalAuthor.objects.filter(proposal=proposal).values_list(
            "member_id", flat=True
        )
    )
    return [m for m in members if m in authors]


def _url(event) -> str:
    return reverse("proposal_detail", args=[event.subject_id])


def _state_label(state: str) -> str:
    try:
        return str(State(state).label).lower()
    except ValueError:
        return state


def render_new(event, viewer) -> Rendered:
    return Rendered(
        text=_("New proposal in %(unit)s: “%(title)s”")
        % {"unit": event.data.get("unit", ""), "title": event.data.get("title", "")},
        url=_url(event),
    )


def render_state(event, viewer) -> Rendered:
    return Rendered(
        text=_("“%(title)s” is now %(state)s")
        % {
            "title": event.data.get("title", ""),
            "state": _state_label(event.data.get("state", "")),
        },
        url=_url(event),
    )


def render_quorum(event, viewer) -> Rendered:
    return Rendered(
        text=_(
            "“%(title)s” reached its quorum (%(count)s supporters) and goes to "
            "discussion"
        )
        % {
            "title": event.data.get("title", ""),
            "count": event.data.get("support_count", ""),
        },
        url=_url(event),
    )


def proposal_group(event) -> tuple[str, str]:
    return f"proposal:{event.subject_id}", event.data.get("title", "")


def register() -> None:
    register_read_rule(
        "proposals.proposal",
        can_read=permissions.can_read_proposal,
        readers=proposal_readers,
    )
    register_kind(
        "proposal_new",
        label=gettext_lazy("A new proposal in a unit or topic you follow"),
        default_channel="daily",
        render=render_new,
        group=proposal_group,
    )
    register_kind(
        "proposal_state",
        label=gettext_lazy("A proposal you follow changes state"),
        default_channel="in_app",
        render=render_state,
        group=proposal_group,
    )
    register_kind(
        "quorum_reached",
        label=gettext_lazy("A proposal you follow reaches its quorum"),
        default_channel="in_app",
        render=render_quorum,
        group=proposal_group,
    )


def _data(proposal: Proposal, **extra) -> dict:
    return {
        "title": proposal.title,
        "unit": proposal.unit.name,
        "proposal": proposal.pk,
        "proposal_title": proposal.title,
        **extra,
    }


def state_changed(
    proposal: Proposal, *, from_state: str, to: str, cause: str, actor=None
) -> None:
    """Inside `_transition`'s transaction."""
    if from_state == State.DRAFT and to == State.GATHERING_SUPPORT:
        notify(
            "proposal_new",
            subject=proposal,
            actor=actor,
            followers_of=[proposal.unit, *proposal.topics.all()],
            key=f"proposal_new:{proposal.pk}",
            data=_data(proposal),
        )
        return
    followers: list[Model] = [proposal]
    if proposal.thread is not None:
        followers.append(proposal.thread)
    if cause == "support" and to == State.DISCUSSION:
        notify(
            "quorum_reached",
            subject=proposal,
            followers_of=followers,
            key=f"quorum_reached:{proposal.pk}",
            data=_data(proposal, support_count=proposal.support_count),
        )
        return
    notify(
        "proposal_state",
        subject=proposal,
        actor=actor,
        followers_of=followers,
        key=f"proposal_state:{proposal.pk}:{to}",
        data=_data(proposal, state=to, previous=from_state),
    )
