""" "Needs my action": what waits for a member this week, across every unit level
they belong to — polls to vote in, proposals near their quorum to support, replies
to answer, live sessions to join — soonest deadline first.

The core never imports the apps, so each app registers a provider in its
`AppConfig.ready` (as with `discussions/subjects.py`):

    register_needs_action_provider("vote", polls_to_vote_in)

A provider is `fn(member, *, now, until) -> Iterable[ActionItem]`. It must

* list only what the member can act on now (on the voter roll, may support, ...)
  and only objects the member may read (the apps' own read rules);
* cost a bounded number of queries whatever the number of items (one or two; the
  tests count them);
* say what the action is in `action` ("Vote before Thursday", "Support — 3 more
  needed"), translated in the active language.

`needs_action_for(member, until=None)` is what the page, the API and the digests
call; `until` defaults to a week from now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class ActionItem:
    """One thing the member can do. `deadline` is when the chance ends (a poll
    closes, a session starts, the support period ends); None sorts last."""

    kind: str
    deadline: datetime | None
    action: str  # what to do: "Vote before Thursday"
    title: str  # what on: the poll's, proposal's or thread's title
    url: str
    object_type: str
    object_id: int
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return f"{self.action}: {self.title}" if self.title else self.action

    @property
    def object(self) -> dict:
        return {"type": self.object_type, "id": self.object_id}

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "text": self.text,
            "action": self.action,
            "title": self.title,
            "url": self.url,
            "object": self.object,
        }


Provider = Callable[..., Iterable[ActionItem]]

_providers: dict[str, Provider] = {}


def register_needs_action_provider(name: str, provider: Provider) -> None:
    """Register (or replace, on a re-import) one provider under a stable name."""
    _providers[name] = provider


def registered_providers() -> list[str]:
    return sorted(_providers)


def when(moment: datetime, now: datetime | None = None) -> str:
    """A moment said briefly for "Vote before …": "18:00 today", "tomorrow 18:00",
    "Thursday 18:00", "3 December 18:00" (in the site's time zone)."""
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    clock = time_format(local, "H:i")
    days = (local.date() - today).days
    if days == 0:
        return _("%(time)s today") % {"time": clock}
    if days == 1:
        return _("tomorrow %(time)s") % {"time": clock}
    if 1 < days < 7:
        return f"{date_format(local, 'l')} {clock}"
    return f"{date_format(local, 'j F')} {clock}"


def _sort_key(item: ActionItem) -> tuple:
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    deadline = item.deadline or far
    return (deadline, item.kind, item.object_type, item.object_id)


def needs_action_for(member: Viewer, until: datetime | None = None) -> list[ActionItem]:
    """Everything waiting for `member` until `until` (a week from now by default),
    soonest deadline first. Nothing for the anonymous user or an account without a
    membership."""
    from deliberation.discussions.permissions import is_member

    if not is_member(member):
        return []
    now = timezone.now()
    until = until or now + WINDOW
    items: list[ActionItem] = []
    for name in sorted(_providers):
        items.extend(_providers[name](member, now=now, until=until))
    return sorted(items, key=_sort_key)
