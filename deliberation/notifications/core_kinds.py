"""The kinds the core raises (discussions): replies, mentions, moderation decisions
and live sessions. Texts are rendered when shown, in the viewer's language, from what
the event stored when it happened (titles, names)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .kinds import Rendered, register_kind


def _actor(event) -> str:
    return event.actor.display_name if event.actor else _("Someone")


def thread_url(data: dict, comment_id: int | None = None) -> str:
    thread = data.get("thread")
    if not thread:
        return ""
    url = reverse("thread_detail", args=[thread])
    return f"{url}#c-{comment_id}" if comment_id else url


def thread_group(event) -> tuple[str, str]:
    """Digest lines of one thread (or proposal) together."""
    data = event.data or {}
    if data.get("proposal"):
        return f"proposal:{data['proposal']}", data.get("proposal_title", "")
    return f"thread:{data.get('thread', '')}", data.get("title", "")


def render_reply(event, viewer) -> Rendered:
    return Rendered(
        text=_("%(actor)s replied to you in “%(title)s”")
        % {"actor": _actor(event), "title": event.data.get("title", "")},
        url=thread_url(event.data, event.subject_id),
    )


def render_mention(event, viewer) -> Rendered:
    return Rendered(
        text=_("%(actor)s mentioned you in “%(title)s”")
        % {"actor": _actor(event), "title": event.data.get("title", "")},
        url=thread_url(event.data, event.subject_id),
    )


def render_moderation(event, viewer) -> Rendered:
    decision = event.data.get("decision", "")
    texts = {
        "hide": _("A moderator hid your comment in “%(title)s”: %(reason)s"),
        "restore": _("A moderator restored your comment in “%(title)s”: %(reason)s"),
        "appeal_granted": _(
            "Your appeal was granted: your comment in “%(title)s” is shown again."
        ),
        "appeal_upheld": _(
            "Your appeal was not granted: your comment in “%(title)s” stays hidden."
        ),
    }
    text = texts.get(
        decision, _("A moderation decision on your comment in “%(title)s”")
    )
    return Rendered(
        text=text
        % {
            "title": event.data.get("title", ""),
            "reason": event.data.get("reason", ""),
        },
        url=thread_url(event.data, event.subject_id),
    )


def render_session(event, viewer) -> Rendered:
    return Rendered(
        text=_("A live session has started in %(unit)s: “%(title)s”")
        % {"unit": event.data.get("unit", ""), "title": event.data.get("title", "")},
        url=thread_url(event.data),
    )


def register_core_kinds() -> None:
    register_kind(
        "reply",
        label=gettext_lazy("A reply to your comment"),
        default_channel="email",
        render=render_reply,
        group=thread_group,
    )
    register_kind(
        "mention",
        label=gettext_lazy("You are mentioned"),
        default_channel="email",
        render=render_mention,
        group=thread_group,
    )
    register_kind(
        "moderation",
        label=gettext_lazy("A moderation decision on your comment"),
        default_channel="email",
        render=render_moderation,
        group=thread_group,
    )
    register_kind(
        "session_started",
        label=gettext_lazy("A live session starts in your branch"),
        default_channel="in_app",
        render=render_session,
        group=thread_group,
    )
