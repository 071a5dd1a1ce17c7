"""Comment text to sanitised HTML with marked @mentions, and the payloads of
comment events (what every watcher may see)."""

from __future__ import annotations

import re

from django.utils.html import escape

from deliberation.markdown import render_markdown
from deliberation.members.models import Member

from ..models import Comment
from ..payloads import author_payload, public_comment_payload

__all__ = [
    "author_payload",
    "comment_event_data",
    "mentioned_members",
    "render_comment",
]

MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_.+-]{1,150})")


def mentioned_members(body: str) -> list[Member]:
    names = {m.group(1).rstrip(".") for m in MENTION_RE.finditer(body or "")}
    if not names:
        return []
    return list(
        Member.objects.filter(username__in=names, is_active=True).order_by("pk")
    )


def render_comment(body: str, mentioned: list[Member]) -> str:
    """Sanitised Markdown; mentions of real members are marked (names are escaped)."""
    html = render_markdown(body)
    names = {m.username for m in mentioned}
    if not names:
        return html

    def mark(match: re.Match[str]) -> str:
        name = match.group(1).rstrip(".")
        if name not in names:
            return match.group(0)
        rest = match.group(1)[len(name) :]
        return f'<strong class="mention">@{escape(name)}</strong>{escape(rest)}'

    # Only touch text outside tags: split on tags, mark in the text parts.
    parts = re.split(r"(<[^>]+>)", html)
    inside_link = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            if part.startswith("<a "):
                inside_link = True
            elif part == "</a>":
                inside_link = False
            continue
        if not inside_link:
            parts[i] = MENTION_RE.sub(mark, part)
    return "".join(parts)


def comment_event_data(comment: Comment) -> dict:
    """What every watcher may see of a comment (hidden/deleted text never leaves);
    the stored event keeps none of its text (`threads.append_thread_event`)."""
    return public_comment_payload(comment)
