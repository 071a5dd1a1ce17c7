"""`{% load discussions %}{% thread_block thread %}` renders the full live thread inside
another page (a proposal, an amendment) — the same component as /threads/{id}/, with a
fixed number of queries. `{{ text|markdown }}` renders sanitised Markdown.
`{% comment_tree roots %}`, `{% comment_flat comments %}` and
`{% comment_fragment c %}` render comments inside the thread component (one pass,
views/comment_html.py). (In the frontend: the core `deliberation/` never imports the
apps.)"""

from django import template
from django.utils.safestring import mark_safe

from deliberation.discussions.permissions import can_read_thread
from deliberation.markdown import render_markdown
from frontend.views import comment_html
from frontend.views.discussion_display import next_query, thread_context

register = template.Library()


@register.inclusion_tag("discussions/_thread_block.html", takes_context=True)
def thread_block(context, thread):
    request = context.get("request")
    base = {
        "thread": thread,
        "request": request,
        "user": context.get("user"),
        "embedded": True,
    }
    if thread is None or request is None:
        return base
    if not can_read_thread(request.user, thread):
        return base | {"readable": False}
    ctx = thread_context(request, thread, view=request.GET.get("view", ""))
    return (
        base
        | ctx
        | {
            "readable": True,
            "next_url": request.get_full_path(),
            "next_query": next_query(request.get_full_path()),
            "csrf_token": context.get("csrf_token"),
            "submission_key": context.get("submission_key"),
        }
    )


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text or ""))  # noqa: S308 — sanitised by nh3


@register.simple_tag(takes_context=True)
def comment_tree(context, roots):
    """The page's top-level comments, each with its replies nested."""
    return comment_html.comment_tree_html(roots, comment_html.comment_page(context))


@register.simple_tag(takes_context=True)
def comment_flat(context, comments):
    """Comments without replies or reply forms (for and against side by side)."""
    return comment_html.comment_flat_html(comments, comment_html.comment_page(context))


@register.simple_tag(takes_context=True)
def comment_fragment(context, comment):
    """One comment alone (the placeholder live.js clones)."""
    return comment_html.comment_fragment_html(
        comment, comment_html.comment_page(context)
    )
