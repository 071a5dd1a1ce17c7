"""The payloads of comment events: what a watcher may see of a comment. Shared by the
services (the live broadcast) and `replay.py` (stored events rendered for a viewer).
Stored events never keep the text keys (`without_text`)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from deliberation.members.payloads import member_ref

from .models import Comment

TEXT_KEYS = frozenset({"body", "body_html"})


TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time_text(moment: datetime) -> str:
    """A time as every page shows it: the site's time zone (TIME_ZONE), one format
    in every language — the pages and the live events both use this, so a comment
    that arrives live reads like the ones rendered with the page."""
    return timezone.localtime(moment).strftime(TIME_FORMAT)


# A comment's author as every payload shows a member (deliberation/members/payloads.py).
author_payload = member_ref


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
        "created_text": local_time_text(comment.created),
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
