"""Comments as HTML in one pass over the page's comments.

The thread page shows up to a hundred comments (20 top-level comments and their
replies); through a recursive `{% include %}` each cost about 0.2 ms of template
lookups, twice what the rest of the page did. Here every comment is a few string
joins: the labels are translated and escaped once per page (`CommentPage`), the
per-comment decisions are the ones `selectors.present_comments` made for this viewer
(`is_own`, `can_see_text`, `shown_html`, `reaction_list`), and every value taken from
a comment is escaped. Nothing is cached across requests: what a viewer sees (hidden
text, their own reactions and controls, the CSRF token) is decided per request.

The markup is the comment component of docs/frontend.md; live.js clones the page's
placeholder (`placeholder_comment`) and fetches single comments (`comment_fragment`)
in the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape as _esc
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from deliberation.discussions.models import Stance
from deliberation.discussions.payloads import TIME_FORMAT

_PK = 987654321  # a stand-in id to turn reverse() into a pattern once per page


@dataclass
class CommentPage:
    """What every comment of one page shares (for one viewer, one request)."""

    t: dict[str, Any]
    can_post: bool
    moderator: bool
    csrf_token: str = ""
    next_url: str = ""
    next_query: str = ""
    submission_key: str = ""
    _labels: dict[str, str] = field(default_factory=dict, init=False)
    _links: dict[int, str] = field(default_factory=dict, init=False)
    _texts: dict[Any, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # Labels are plain text (escaped here) except the prepared <option>s.
        self._labels = {
            k: (v if k == "stance_options" else _esc(str(v))) for k, v in self.t.items()
        }
        csrf = _esc(self.csrf_token)
        self.csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        )
        self.next_input = (
            f'<input type="hidden" name="next" value="{_esc(self.next_url)}">'
            if self.next_url
            else ""
        )
        self.next_q = _esc(self.next_query)
        self.key = _esc(self.submission_key)
        self.stance_labels = {k: _esc(str(label)) for k, label in Stance.choices}
        self.member_url = reverse("member_detail", args=[_PK]).replace(str(_PK), "{}")

    def member_link(self, member) -> str:
        """As the `member_link` filter: the name linked to the profile, or "—"."""
        pk = getattr(member, "pk", None)
        if member is None or not pk:
            return "—"
        link = self._links.get(pk)
        if link is None:
            url = self.member_url.format(pk)
            name = _esc(str(member.display_name))
            link = f'<a href="{url}" class="member-link">{name}</a>'
            self._links[pk] = link
        return link

    def text(self, value) -> str:
        """`value` escaped, remembered (reaction labels repeat on every comment)."""
        try:
            done = self._texts.get(value)
        except TypeError:  # not hashable (a malformed count): escaped as it is
            return _esc(str(value))
        if done is None:
            done = self._texts[value] = _esc(str(value))
        return done


def comment_page(context) -> CommentPage:
    """The page's `CommentPage` from a template context (the thread component's,
    `thread_context`, inside the page's RequestContext), made once per render."""
    page = context.render_context.get(CommentPage)
    if page is None:
        page = CommentPage(
            t=context.get("t") or {},
            can_post=bool(context.get("can_post")),
            moderator=bool(context.get("moderator")),
            csrf_token=str(context.get("csrf_token") or ""),
            next_url=str(context.get("next_url") or ""),
            next_query=str(context.get("next_query") or ""),
            submission_key=str(context.get("submission_key") or ""),
        )
        context.render_context[CommentPage] = page
    return page


def comment_tree_html(roots: Iterable, page: CommentPage) -> SafeString:
    """Top-level comments as `<li class="comment-item">`, each with its replies
    nested (`c.children`) in `<ol class="comment-list replies">`."""
    out: list[str] = []
    for c in roots:
        _item(c, page, out)
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


def comment_flat_html(comments: Iterable, page: CommentPage) -> SafeString:
    """Comments side by side without replies or reply forms (the arguments view)."""
    out: list[str] = []
    for c in comments:
        out.append("<li>")
        _article(c, page, out, flat=True)
        out.append("\n</li>")
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


def comment_fragment_html(c, page: CommentPage) -> SafeString:
    """One comment alone (its replies list left out), for live.js to insert."""
    out: list[str] = []
    _article(c, page, out, fragment=True)
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


def _item(c, page: CommentPage, out: list[str]) -> None:
    out.append(f'<li class="comment-item" data-comment-item="{c.pk}">')
    _article(c, page, out)
    out.append(f'\n<ol class="comment-list replies" data-replies="{c.pk}">')
    for child in c.children:
        _item(child, page, out)
    out.append("</ol>\n</li>")


def _article(
    c, page: CommentPage, out: list[str], *, flat: bool = False, fragment: bool = False
) -> None:
    t = page._labels
    sid = c.pk
    stance = _esc(str(c.stance))
    alive = c.deleted is None
    hidden = c.hidden
    is_own = c.is_own
    can_post = page.can_post
    created = c.created
    if created is not None:
        local = localtime(created)
        iso, text = local.isoformat(), local.strftime(TIME_FORMAT)
    else:
        iso = text = ""
    flags = getattr(c, "open_flags", 0)
    out.append(
        f'<article class="comment comment-{stance}'
        f"{' is-hidden' if hidden else ''}{'' if alive else ' is-deleted'}"
        f'" id="c-{sid}" data-comment="{sid}" aria-labelledby="c-{sid}-by">\n'
        '  <header class="comment-head">\n'
        f'    <span class="stance-badge stance-badge-{stance}" data-stance-badge>'
        f"{page.stance_labels.get(c.stance) or stance}</span>\n"
        f'    <strong id="c-{sid}-by" data-author>{page.member_link(c.author)}'
        "</strong>\n"
        f'    <a class="muted small" href="#c-{sid}"><time datetime="{iso}">{text}'
        "</time></a>\n    "
    )
    if flags:
        out.append(
            f'<a class="tag tag-flag" href="/moderation/">{t["flagged"]} {flags}</a>'
        )
    out.append("\n    ")
    if c.edited and alive:
        out.append(
            f'<a class="muted small" href="/comments/{sid}/history/">{t["edited"]}</a>'
        )
    out.append("\n  </header>\n  ")
    if not alive:
        out.append(
            f'\n    <p class="comment-placeholder muted">{t["deleted"]}</p>\n  \n'
        )
    elif hidden:
        reason = (
            f"{t['reason']} {_esc(str(c.hidden_reason))}" if c.hidden_reason else ""
        )
        out.append(
            f'\n    <p class="comment-placeholder muted">{t["hidden"]} {reason} '
            f'<a href="/moderation/">{t["log"]}</a></p>\n    '
        )
        if c.can_see_text:
            label = t["own_hidden"] if is_own else t["mod_hidden"]
            out.append(
                f'<details class="hidden-text"><summary>{label}</summary>'
                f'<div class="comment-body prose">{c.body_html}</div></details>'
            )
        out.append("\n  \n")
    else:
        out.append(f'\n    <div class="comment-body prose">{c.shown_html}</div>\n  \n')
    out.append("  ")
    if alive:
        can_react = can_post and not hidden
        out.append('\n  <footer class="comment-actions">\n    ')
        if can_react:
            out.append(
                f'<form method="post" action="/comments/{sid}/react/" '
                f'class="reactions">{page.csrf_input}{page.next_input}'
                f"{_reactions(c, page, True)}</form>\n    "
            )
        else:
            out.append(f'<span class="reactions">{_reactions(c, page, False)}</span>')
        out.append("\n    ")
        if is_own and not hidden:
            out.append(f'<a href="/comments/{sid}/edit/{page.next_q}">{t["edit"]}</a>')
        out.append("\n    ")
        if is_own:
            out.append(
                f'<form method="post" action="/comments/{sid}/delete/" '
                f'class="inline-form">{page.csrf_input}{page.next_input}'
                f'<button type="submit" class="btn-link">{t["delete"]}</button></form>'
            )
        out.append("\n    ")
        if is_own and hidden:
            out.append(f'<a href="/comments/{sid}/appeal/">{t["appeal"]}</a>')
        out.append("\n    ")
        if can_post and not is_own and not hidden:
            out.append(f'<a href="/comments/{sid}/flag/">{t["flag"]}</a>')
        out.append("\n    ")
        if page.moderator and not is_own:
            if hidden:
                out.append(f'<a href="/comments/{sid}/restore/">{t["restore"]}</a>')
            else:
                out.append(f'<a href="/comments/{sid}/hide/">{t["hide"]}</a>')
        out.append("\n  </footer>\n  ")
    out.append("\n  ")
    if can_post and not flat:
        out.append(
            '\n  <details class="reply">\n'
            f"    <summary>{t['reply']}</summary>\n"
            f'    <form method="post" action="/threads/{c.thread_id}/comments/">'
            f"{page.csrf_input}\n"
            f'      <input type="hidden" name="parent" value="{sid}">'
            f'<input type="hidden" name="submission_key" value="{page.key}">'
            f"{page.next_input}\n"
            f'      <label for="reply-{sid}">{t["your_reply"]}</label>\n'
            f'      <textarea id="reply-{sid}" name="body" rows="3" maxlength="10000" '
            "required></textarea>\n"
            f'      <label for="reply-stance-{sid}">{t["your_stance"]}</label>\n'
            f'      <select id="reply-stance-{sid}" name="stance">'
            f"{t['stance_options']}</select>\n"
            '      <button type="submit" class="btn-small">'
            f"{t['post_reply']}</button>\n"
            "    </form>\n  </details>\n  "
        )
    out.append("\n</article>")


def _reactions(c, page: CommentPage, buttons: bool) -> str:
    """Reaction buttons (who may react) or plain counts (everyone else)."""
    sid, text = c.pk, page.text
    if buttons:
        return "".join(
            f'<button type="submit" name="kind" value="{text(kind)}" class="reaction'
            f'{" is-mine" if mine else ""}" '
            f'aria-pressed="{"true" if mine else "false"}">{text(label)} '
            f'<span data-reaction-count="{sid}:{text(kind)}">'
            f"{text(count)}</span></button>"
            for kind, label, count, mine in c.reaction_list
        )
    return "".join(
        f'<span class="reaction">{text(label)} '
        f'<span data-reaction-count="{sid}:{text(kind)}">{text(count)}</span></span>'
        for kind, label, count, _mine in c.reaction_list
    )
