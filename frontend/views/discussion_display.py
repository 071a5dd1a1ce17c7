"""What the thread pages show, prepared in Python: the labels, the placeholder
live.js clones, the thread component's context, and the lookups every discussion
view starts with. The comments themselves: comment_html.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors
from deliberation.discussions.models import (
    Comment,
    ReactionKind,
    Stance,
    Thread,
    ThreadKind,
)

from .discussion_forms import CommentForm


def comment_labels() -> dict:
    """Labels of the comment template, translated once per page (not per comment)."""
    options = "".join(
        f'<option value="{value}">{escape(label)}</option>'
        for value, label in [
            (Stance.NEUTRAL, Stance.NEUTRAL.label),
            (Stance.FOR, Stance.FOR.label),
            (Stance.AGAINST, Stance.AGAINST.label),
            (Stance.QUESTION, Stance.QUESTION.label),
        ]
    )
    return {
        "edited": _("edited"),
        "deleted": _("The author deleted this comment."),
        "hidden": _("Hidden by a moderator."),
        "reason": _("Reason:"),
        "log": _("Moderation log"),
        "own_hidden": _("Your hidden text"),
        "mod_hidden": _("Show the hidden text (moderators)"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "appeal": _("Appeal"),
        "flag": _("Flag"),
        "restore": _("Restore"),
        "hide": _("Hide"),
        "reply": _("Reply"),
        "your_reply": _("Your reply"),
        "your_stance": _("Your stance"),
        "post_reply": _("Post reply"),
        "flagged": _("Flagged:"),
        **{f"stance_{k}": str(label) for k, label in Stance.choices},
        "stance_options": mark_safe(options),  # noqa: S308
    }


def placeholder_comment(thread):
    """A blank comment rendered into a <template> once per page: live.js clones it for
    each new comment (id `__CID__`) and fills in the author (as text), the time and the
    server-sanitised body — so a thousand viewers do not each fetch a fragment. Its
    controls are the page's (`can_post`, `moderator`), as for a comment of another."""
    from types import SimpleNamespace

    return SimpleNamespace(
        pk="__CID__",
        thread_id=thread.pk,
        stance=Stance.NEUTRAL.value,
        hidden=False,
        deleted=None,
        edited=None,
        created=None,
        hidden_reason="",
        author=None,
        can_see_text=True,
        shown_html="",
        body_html="",
        is_own=False,
        open_flags=0,
        reaction_list=[(k, str(label), 0, False) for k, label in ReactionKind.choices],
        children=[],
    )


def thread_for(request, pk) -> Thread:
    return selectors.get_readable_thread(viewer=request.user, pk=pk)


def comment_for(request, cid) -> Comment:
    return selectors.get_readable_comment(viewer=request.user, pk=cid)


def safe_next(request) -> str:
    """The `next` the page was given (POST, else GET) if it points to this site, or
    "" — never to another host or scheme."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return ""


def back_to_comment(comment: Comment, request=None):
    """Back where the member came from (a safe `next`, e.g. the proposal page the
    thread is embedded in), anchored to the comment; else the comment's thread page."""
    nxt = safe_next(request) if request is not None else ""
    if nxt:
        return redirect(f"{nxt.split('#')[0]}#c-{comment.pk}")
    return redirect(selectors.comment_url(comment))


def next_query(nxt: str) -> str:
    """`?next=…` for the comment links (edit) when the thread is shown elsewhere."""
    return "?" + urlencode({"next": nxt}) if nxt else ""


def count_labels() -> dict:
    """The thread's "N comments" in this language for live.js (`__N__` for the
    number): the same messages as the page's {% blocktranslate count %}."""
    return {
        "one": ngettext("%(n)s comment", "%(n)s comments", 1) % {"n": "__N__"},
        "other": ngettext("%(n)s comment", "%(n)s comments", 2) % {"n": "__N__"},
    }


def thread_context(request, thread: Thread, *, form=None, view: str = "") -> dict:
    """Everything the thread component needs — a fixed number of queries."""
    view = "arguments" if view == "arguments" else "conversation"
    can_post = perms.can_post_in_thread(request.user, thread)
    ctx: dict[str, Any] = {
        "thread": thread,
        "view": view,
        "can_post": can_post,
        "form": form or CommentForm(),
        "sessions": selectors.sessions_of_thread(thread),
        "now": timezone.now(),
    }
    shown: list[Comment]
    if view == "arguments":
        sides = selectors.arguments(thread=thread, viewer=request.user)
        moderator = perms.can_moderate(request.user, thread)
        ctx.update(sides=sides, moderator=moderator)
        shown = sides["for"] + sides["against"]
    else:
        tp = selectors.thread_page(
            thread=thread, viewer=request.user, page_number=request.GET.get("page") or 1
        )
        moderator = tp.moderator
        ctx.update(
            page=tp.page, roots=tp.roots, reacted=tp.reacted, moderator=moderator
        )
        shown = [c for root in tp.roots for c in _walk(root)]
    if moderator:  # moderators see open flags on the page (one query)
        counts = selectors.flag_counts(c.pk for c in shown)
        for c in shown:
            c.open_flags = counts.get(c.pk, 0)
    ctx["t"] = comment_labels()
    ctx["count_labels"] = count_labels()
    ctx["placeholder"] = placeholder_comment(thread)
    ctx["can_session"] = perms.can_run_live_session(request.user, thread.unit)
    return ctx


def _walk(comment):
    yield comment
    for child in comment.children:
        yield from _walk(child)


def thread_subject(thread: Thread) -> dict | None:
    """The proposal or amendment a thread belongs to, for a link back (if any)."""
    try:
        if thread.kind == ThreadKind.PROPOSAL:
            p = thread.proposal
            return {"title": p.title, "url": f"/proposals/{p.pk}/"}
        if thread.kind == ThreadKind.AMENDMENT:
            a = thread.amendment
            return {
                "title": str(a),
                "url": f"/proposals/{a.proposal_id}/amendments/{a.pk}/",
            }
    except (AttributeError, ObjectDoesNotExist):
        return None
    return None
