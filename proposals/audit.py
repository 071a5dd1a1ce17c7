"""How the proposals' audit entries read (deliberation/audit/registry.py): every
phase change of a published proposal and every change of a unit's policy."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.audit.registry import Ref, register_action, register_ref_kind

from .models import Cause, Policy, Proposal, State


def _proposals(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = Proposal.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).only(
        "pk", "title", "published_at"
    )
    out: dict[str, tuple[str, str | None]] = {}
    for p in rows:
        if p.published_at is None:  # never recorded, but never shown either
            out[str(p.pk)] = (f"#{p.pk}", None)
        else:
            out[str(p.pk)] = (
                _("“%(title)s”") % {"title": p.title},
                reverse("proposal_detail", args=[p.pk]),
            )
    return out


STATE_MESSAGES = {
    State.GATHERING_SUPPORT: gettext_lazy(
        "Published %(proposal)s in %(unit)s: it now gathers support"
    ),
    State.DISCUSSION: gettext_lazy(
        "%(proposal)s reached its quorum of support and went to discussion"
    ),
    State.FROZEN: gettext_lazy(
        "The discussion of %(proposal)s ended: its text is frozen until the vote"
    ),
    State.VOTING: gettext_lazy("The members' vote on %(proposal)s opened"),
    State.ADOPTED: gettext_lazy("%(proposal)s was adopted by the members' vote"),
    State.REJECTED: gettext_lazy("%(proposal)s was rejected by the members' vote"),
    State.EXPIRED: gettext_lazy("%(proposal)s expired without reaching its quorum"),
    State.WITHDRAWN: gettext_lazy("Withdrew %(proposal)s"),
}
JOINED = gettext_lazy("%(proposal)s joined the discussion as an alternative")
MOVED = gettext_lazy("%(proposal)s moved from “%(from)s” to “%(to)s”")


def _state_message(entry):
    if entry.data.get("cause") == Cause.ALTERNATIVE and entry.data.get("to") in (
        State.DISCUSSION,
        State.GATHERING_SUPPORT,
    ):
        return JOINED
    return STATE_MESSAGES.get(entry.data.get("to"), MOVED)


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _state_values(entry) -> dict:
    return {
        "proposal": Ref("proposal", entry.target_id),
        "from": _label(State, entry.data.get("from")),
        "to": _label(State, entry.data.get("to")),
    }


def _changes(entry) -> str:
    parts = []
    for name, pair in sorted((entry.data.get("changed") or {}).items()):
        try:
            verbose = str(getattr(Policy._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            verbose = name
        before, after = (list(pair) + ["", ""])[:2]
        parts.append(f"{verbose} {before} → {after}")
    return "; ".join(parts) or "—"


def register() -> None:
    register_ref_kind("proposal", _proposals)
    register_action(
        "proposal.state_changed",
        label=gettext_lazy("Phase change"),
        message=_state_message,
        values=_state_values,
    )
    register_action(
        "proposal.climbed",
        label=gettext_lazy("Climb"),
        message=gettext_lazy(
            "%(proposal)s climbed from %(from)s to %(to)s, supported by members of "
            "%(units)s units"
        ),
        values=lambda e: {
            "proposal": Ref("proposal", e.target_id),
            "from": e.data.get("from_name", ""),
            "to": e.data.get("to_name", ""),
            "units": e.data.get("units", ""),
        },
    )
    register_action(
        "policy.updated",
        label=gettext_lazy("Policy changed"),
        message=gettext_lazy("Changed the proposal policy of %(unit)s: %(changes)s"),
        values=lambda e: {"changes": _changes(e)},
    )
    register_action(
        "policy.adopted",
        label=gettext_lazy("Rules adopted by the members"),
        message=gettext_lazy(
            "The members adopted version %(version)s of the rules of %(unit)s by "
            "voting for %(proposal)s: %(changes)s"
        ),
        values=lambda e: {
            "changes": _changes(e),
            "version": e.data.get("version", "?"),
            "proposal": Ref("proposal", e.data.get("proposal")),
        },
    )
    register_action(
        "policy.lapsed",
        label=gettext_lazy("Emergency rule change lapsed"),
        message=gettext_lazy(
            "The administrators' emergency change of the rules of %(unit)s (version "
            "%(version)s) lapsed unconfirmed by the members"
        ),
        values=lambda e: {"version": e.data.get("version", "?")},
    )
