"""Stored thread events as a given viewer may see them (docs/realtime.md, "Resume").

Stored events never keep comment text (`append_thread_event` strips it): the text
lives in the comment only, so hiding or deleting it takes effect everywhere at once.
A replay — `resume`, or a gap filled while delivering live — renders every comment
event from the comment as it is now, for this viewer: what a fresh page load shows
them (hidden text to its author and the unit's moderators, deleted text to nobody).
One query for the events, one for their comments, at most one role query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import permissions as perms
from .models import Comment, Thread, ThreadEvent
from .payloads import comment_payload, without_text

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer


COMMENT_EVENTS = frozenset(
    {
        "comment.created",
        "comment.edited",
        "comment.hidden",
        "comment.restored",
        "comment.deleted",
    }
)


def events_for_viewer(
    *,
    viewer: Viewer,
    thread: Thread,
    after: int,
    before: int | None = None,
    limit: int = 500,
) -> list[dict]:
    """Stored events with after < seq (< before), in order, rendered for `viewer`."""
    qs = ThreadEvent.objects.filter(thread_id=thread.pk, seq__gt=after)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("seq")[:limit])
    ids = {
        int(e.object_id)
        for e in rows
        if e.type in COMMENT_EVENTS and e.object_id.isdigit()
    }
    comments = (
        {
            c.pk: c
            for c in Comment.objects.filter(pk__in=ids, thread_id=thread.pk)
            .select_related("author")
            .defer("body")
        }
        if ids
        else {}
    )
    moderator = bool(comments) and perms.can_moderate(viewer, thread)
    viewer_id = getattr(viewer, "pk", None)
    out = []
    for event in rows:
        message = event.as_message()
        if event.type in COMMENT_EVENTS:
            comment = comments.get(message["id"])
            data = without_text(event.data)
            if comment is not None:
                visible = (
                    not comment.hidden or comment.author_id == viewer_id or moderator
                )
                data |= comment_payload(comment, text_visible=visible)
            else:
                data["body_html"] = ""
            message["data"] = data
        out.append(message)
    return out
