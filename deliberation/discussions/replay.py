"""Stored thread events as a given viewer may see them (docs/realtime.md, "Resume").

Stored events never keep comment text (`append_thread_event` strips it): the text
lives in the comment only, so hiding or deleting it takes effect everywhere at once.
A replay — `resume`, or a gap filled while delivering live — renders every comment
event from the comment as it is now, for this viewer: what a fresh page load shows
them (hidden text to its author and the unit's moderators, deleted text to nobody).
One query for the events, one for their comments, at most one role query.
"""

from __future__ import annotations

from . import permissions as perms
from .models import Comment, Thread, ThreadEvent

COMMENT_EVENTS = frozenset(
    {
        "comment.created",
        "comment.edited",
        "comment.hidden",
        "comment.restored",
        "comment.deleted",
    }
)
TEXT_KEYS = frozenset({"body", "body_html"})


def author_payload(member) -> dict:
    return {"id": member.pk, "username": member.username, "name": member.display_name}


def comment_payload(comment: Comment, *, text_visible: bool) -> dict:
    """A comment as an event carries it; `body_html` only when `text_visible` and the
    comment is not deleted."""
    shown = text_visible and comment.deleted is None
    return {
        "id": comment.pk,
        "thread": comment.thread_id,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": author_payload(comment.author),
        "stance": comment.stance,
        "body_html": comment.body_html if shown else "",
        "created": comment.created.isoformat(),
        "edited": comment.edited.isoformat() if comment.edited else None,
        "deleted": comment.deleted is not None,
        "hidden": comment.hidden,
        "reactions": comment.reaction_counts or {},
    }


def public_comment_payload(comment: Comment) -> dict:
    """What every watcher may see (the live broadcast): no hidden or deleted text."""
    return comment_payload(comment, text_visible=not comment.hidden)


def without_text(data: dict) -> dict:
    """The stored form of an event's data: no comment text."""
    return {k: v for k, v in data.items() if k not in TEXT_KEYS}


def events_for_viewer(
    *,
    viewer,
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
