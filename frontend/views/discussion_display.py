"""What the thread pages show, prepared in Python: per-comment flags and labels,
the placeholder live.js clones, reaction buttons, the thread component's context,
and the lookups every discussion view starts with."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import escape, format_html_join
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
from deliberation.discussions.payloads import local_time_text

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


def decorate(comments, *, viewer, can_post: bool, moderator: bool) -> None:
    """Per-comment flags and strings for the template, computed once in Python (the
    template then does simple lookups — a 5,000-comment thread's page stays fast)."""
    stance_labels = {k: str(label) for k, label in Stance.choices}  # translate once
    for c in comments:
        c.sid = str(c.pk)
        c.thread_sid = str(c.thread_id)
        c.stance_label = stance_labels.get(c.stance, c.stance)
        local = timezone.localtime(c.created)
        c.created_iso = local.isoformat()
        c.created_text = local_time_text(c.created)
        alive = c.deleted is None
        c.show_edited = bool(c.edited) and alive
        c.can_react = can_post and alive and not c.hidden
        c.can_edit = c.is_own and alive and not c.hidden
        c.can_appeal = c.is_own and c.hidden
        c.can_flag = can_post and not c.is_own and not c.hidden
        c.can_reply = can_post
        c.mod_action = (
            ("restore" if c.hidden else "hide")
            if moderator and alive and not c.is_own
            else ""
        )
        c.reactions_html = reactions_html(c)


def placeholder_comment(thread, *, can_post: bool, moderator: bool):
    """A blank comment rendered into a <template> once per page: live.js clones it for
    each new comment (id `__CID__`) and fills in the author (as text), the time and the
    server-sanitised body — so a thousand viewers do not each fetch a fragment."""
    from types import SimpleNamespace

    c = SimpleNamespace(
        pk="__CID__",
        sid="__CID__",
        thread_id=thread.pk,
        thread_sid=str(thread.pk),
        stance="neutral",
        stance_label=str(Stance.NEUTRAL.label),
        hidden=False,
        deleted=None,
        hidden_reason="",
        author=SimpleNamespace(display_name=""),
        created_iso="",
        created_text="",
        show_edited=False,
        can_see_text=True,
        shown_html="",
        body_html="",
        is_own=False,
        can_edit=False,
        can_appeal=False,
        can_react=can_post,
        can_flag=can_post,
        can_reply=can_post,
        open_flags=0,
        mod_action="hide" if moderator else "",
        reaction_counts={},
        children=[],
    )
    c.reaction_list = [(k, str(label), 0, False) for k, label in ReactionKind.choices]
    c.reactions_html = reactions_html(c)
    return c


def reactions_html(c) -> str:
    """Reaction buttons (members of the unit) or plain counts (everyone else)."""
    if c.can_react:
        return format_html_join(
            "",
            '<button type="submit" name="kind" value="{}" class="reaction{}" '
            'aria-pressed="{}">{} <span data-reaction-count="{}:{}">{}</span></button>',
            (
                (
                    kind,
                    " is-mine" if mine else "",
                    "true" if mine else "false",
                    label,
                    c.sid,
                    kind,
                    count,
                )
                for kind, label, count, mine in c.reaction_list
            ),
        )
    return format_html_join(
        "",
        '<span class="reaction">{} <span data-reaction-count="{}:{}">{}</span></span>',
        ((label, c.sid, kind, count) for kind, label, count, _mine in c.reaction_list),
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
    decorate(shown, viewer=request.user, can_post=can_post, moderator=moderator)
    if moderator:  # moderators see open flags on the page (one query)
        counts = selectors.flag_counts(c.pk for c in shown)
        for c in shown:
            c.open_flags = counts.get(c.pk, 0)
    ctx["t"] = comment_labels()
    ctx["count_labels"] = count_labels()
    ctx["placeholder"] = placeholder_comment(
        thread, can_post=can_post, moderator=moderator
    )
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
