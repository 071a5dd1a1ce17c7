"""How the discussions' audit entries read (deliberation/audit/registry.py): the
moderators' decisions and the facilitators' live sessions. Titles of threads not
every member may read are shown by number only (`subjects.public_title`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.audit.registry import Ref, register_action, register_ref_kind
from deliberation.audit.rendering import when

from .models import Comment, LiveSession, Thread
from .subjects import public_title, related_fields


def _ids(ids: set[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _threads(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = Thread.objects.filter(pk__in=_ids(ids)).select_related(*related_fields())
    return {
        str(t.pk): (
            _("“%(title)s”") % {"title": public_title(t)},
            t.get_absolute_url(),
        )
        for t in rows
    }


def _comments(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = Comment.objects.filter(pk__in=_ids(ids)).only("pk", "thread_id")
    return {
        str(c.pk): (
            _("comment #%(id)s") % {"id": c.pk},
            f"/threads/{c.thread_id}/#c-{c.pk}",
        )
        for c in rows
    }


def _sessions(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    rows = LiveSession.objects.filter(pk__in=_ids(ids)).select_related(
        *[f"thread__{f}" for f in related_fields()] or ["thread"]
    )
    out: dict[str, tuple[str, str | None]] = {}
    for s in rows:
        title = s.title if public_title(s.thread) == s.thread.title else f"#{s.pk}"
        out[str(s.pk)] = (
            _("“%(title)s”") % {"title": title},
            f"/threads/{s.thread_id}/",
        )
    return out


def _comment_values(entry) -> dict:
    return {
        "comment": Ref("comment", entry.target_id, fallback=f"#{entry.target_id}"),
        "thread": Ref("thread", entry.data.get("thread")),
    }


def register() -> None:
    register_ref_kind("thread", _threads)
    register_ref_kind("comment", _comments)
    register_ref_kind("live_session", _sessions)
    register_action(
        "comment.hide",
        label=gettext_lazy("Comment hidden"),
        message=gettext_lazy("Hid %(comment)s in %(thread)s"),
        values=_comment_values,
    )
    register_action(
        "comment.restore",
        label=gettext_lazy("Comment restored"),
        message=gettext_lazy("Restored %(comment)s in %(thread)s"),
        values=_comment_values,
    )
    register_action(
        "comment.appeal_upheld",
        label=gettext_lazy("Appeal rejected"),
        message=gettext_lazy(
            "Rejected the appeal about %(comment)s in %(thread)s: it stays hidden"
        ),
        values=_comment_values,
    )
    register_action(
        "comment.appeal_granted",
        label=gettext_lazy("Appeal granted"),
        message=gettext_lazy(
            "Granted the appeal about %(comment)s in %(thread)s: it is restored"
        ),
        values=_comment_values,
    )
    register_action(
        "live_session.schedule",
        label=gettext_lazy("Live session scheduled"),
        message=gettext_lazy(
            "Scheduled the live session %(session)s in %(unit)s for %(starts)s"
        ),
        values=lambda e: {
            "session": Ref("live_session", e.target_id),
            "starts": when(e.data.get("starts"), "SHORT_DATETIME_FORMAT"),
        },
    )
    register_action(
        "live_session.close",
        label=gettext_lazy("Live session closed"),
        message=gettext_lazy("Closed the live session %(session)s with its minutes"),
        values=lambda e: {"session": Ref("live_session", e.target_id)},
    )
