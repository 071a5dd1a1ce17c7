"""Discussion pages: the live thread, comments, unit discussions, and the blocks
other pages show. Every form is a plain POST with CSRF that redirects
(POST-redirect-GET); live.js only enhances. Views are thin: parse, call one service
or selector, render. Moderation pages: moderation.py; live sessions:
live_sessions.py; forms and display helpers: discussion_forms.py,
discussion_display.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors, services
from deliberation.discussions.models import (
    Comment,
    Thread,
)
from deliberation.errors import ServiceError
from deliberation.idempotency import create_once, request_key
from deliberation.members.models import Unit

from .discussion_display import (
    back_to_comment,
    comment_for,
    comment_labels,
    next_query,
    safe_next,
    thread_context,
    thread_for,
    thread_subject,
)
from .discussion_forms import CommentForm, EditForm, ThreadForm
from .preview import form_preview


@login_required
def thread_detail(request, pk: int):
    thread = thread_for(request, pk)
    ctx = thread_context(request, thread, view=request.GET.get("view", ""))
    ctx["subject"] = thread_subject(thread)
    return render(request, "discussions/thread_detail.html", ctx)


@login_required
def comment_create(request, pk: int):
    if request.method != "POST":
        return redirect("thread_detail", pk=pk)
    thread = thread_for(request, pk)
    form = CommentForm(request.POST)
    preview_html = form_preview(request, form)
    if preview_html is not None:  # "Preview" without JavaScript: nothing is posted
        ctx = thread_context(request, thread, form=form)
        ctx.update(
            subject=thread_subject(thread),
            preview_html=preview_html,
            next_url=safe_next(request),
        )
        return render(request, "discussions/thread_detail.html", ctx)
    if form.is_valid():
        try:
            comment, _created = create_once(
                member=request.user,
                key=request_key(request),
                model=Comment,
                create=lambda: services.post_comment(
                    thread=thread,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    stance=form.cleaned_data["stance"],
                    parent=form.cleaned_data["parent"],
                ),
            )
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except ServiceError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            return back_to_comment(comment, request)
    else:
        status = 400
    ctx = thread_context(request, thread, form=form)
    return render(request, "discussions/thread_detail.html", ctx, status=status)


@login_required
def comment_fragment(request, pk: int, cid: int):
    """One comment as HTML, for live.js to insert (never the raw text of others)."""
    comment = comment_for(request, cid)
    if comment.thread_id != pk:
        raise Http404
    thread = comment.thread
    selectors.present_comments([comment], request.user, thread)
    selectors.attach_reactions(
        [comment], selectors.my_reactions(request.user, [comment.pk])
    )
    nxt = safe_next(request)
    return render(
        request,
        "discussions/_comment.html",
        {
            "c": comment,
            "thread": thread,
            "can_post": perms.can_post_in_thread(request.user, thread),
            "moderator": perms.can_moderate(request.user, thread),
            "t": comment_labels(),
            "next_url": nxt,
            "next_query": next_query(nxt),
        },
    )


@login_required
def thread_sessions_fragment(request, pk: int):
    """The thread's live sessions (running, scheduled with their agenda, minutes) as
    HTML, for live.js to swap in on `session.*` events — so an open page shows a
    session the moment it is scheduled, starts or closes."""
    thread = thread_for(request, pk)
    return render(
        request,
        "discussions/_thread_sessions.html",
        {
            "thread": thread,
            "sessions": selectors.sessions_of_thread(thread),
            "can_session": perms.can_run_live_session(request.user, thread.unit),
        },
    )


@login_required
def comment_edit(request, cid: int):
    comment = comment_for(request, cid)
    if not perms.can_edit_comment(request.user, comment):
        raise PermissionDenied(_("Only the author can edit a comment."))
    form = EditForm(
        request.POST or None, initial={"body": comment.body, "stance": comment.stance}
    )
    preview_html = form_preview(request, form)
    if preview_html is None and request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(
                comment=comment, actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your comment is updated; the earlier text is kept in its history."),
            )
            return back_to_comment(comment, request)
    nxt = safe_next(request)
    return render(
        request,
        "discussions/comment_form.html",
        {
            "comment": comment,
            "back_url": f"{nxt.split('#')[0]}#c-{comment.pk}" if nxt else "",
            "form": form,
            "title": _("Edit your comment"),
            "submit": _("Save"),
            "previewable": True,
            "preview_html": preview_html,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def comment_delete(request, cid: int):
    comment = comment_for(request, cid)
    services.delete_comment(comment=comment, actor=request.user)
    messages.success(request, _("Your text is deleted. Its place in the thread stays."))
    return back_to_comment(comment, request)


@login_required
@require_POST
def comment_react(request, cid: int):
    comment = comment_for(request, cid)
    try:
        services.toggle_reaction(
            comment=comment, member=request.user, kind=request.POST.get("kind", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return back_to_comment(comment, request)


@login_required
def comment_history(request, cid: int):
    comment = comment_for(request, cid)
    visible = not comment.hidden or perms.can_see_hidden_text(request.user, comment)
    return render(
        request,
        "discussions/comment_history.html",
        {
            "comment": comment,
            "revisions": selectors.comment_history(comment) if visible else [],
            "visible": visible,
        },
    )


@login_required
def unit_threads(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    if not perms.is_member(request.user):
        raise PermissionDenied(_("Only members can read discussions."))
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread, _created = create_once(
                member=request.user,
                key=request_key(request),
                model=Thread,
                create=lambda: services.open_thread(
                    title=form.cleaned_data["title"], unit=unit, actor=request.user
                ),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(thread.get_absolute_url())
    threads = selectors.list_threads(viewer=request.user, unit_id=unit.pk)
    page = Paginator(threads, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "discussions/unit_threads.html",
        {
            "unit": unit,
            "page": page,
            "form": form,
            "can_open": perms.can_open_thread(request.user, unit),
            "sessions": list(
                selectors.list_live_sessions(
                    viewer=request.user, unit_id=unit.pk, upcoming=True
                )
            ),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


def unit_block(request, unit):
    if not perms.is_member(request.user):
        return None
    threads = list(selectors.list_threads(viewer=request.user, unit_id=unit.pk)[:5])
    sessions = list(
        selectors.list_live_sessions(
            viewer=request.user, unit_id=unit.pk, upcoming=True
        )[:5]
    )
    return {
        "template": "discussions/_unit_block.html",
        "unit": unit,
        "threads": threads,
        "sessions": sessions,
        "now": timezone.now(),
        "can_open": perms.can_open_thread(request.user, unit),
        "can_session": perms.can_run_live_session(request.user, unit),
    }


def home_block(request):
    """Live and upcoming sessions in the member's own units — highlighted on the
    feed."""
    if not request.user.is_authenticated:
        return None
    from deliberation.members.permissions import scope_unit_ids_of

    units = scope_unit_ids_of(request.user)
    if not units:
        return None
    sessions = list(
        selectors.list_live_sessions(viewer=request.user, upcoming=True).filter(
            unit_id__in=units
        )[:5]
    )
    if not sessions:
        return None
    return {
        "template": "discussions/_home_block.html",
        "sessions": sessions,
        "now": timezone.now(),
    }
