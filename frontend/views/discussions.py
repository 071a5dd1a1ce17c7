"""Discussion pages: the live thread, unit discussions, moderation log, live sessions.
Every form is a plain POST with CSRF that redirects (POST-redirect-GET); live.js only
enhances. Views are thin: parse, call one service or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors, services
from deliberation.discussions.models import (
    Appeal,
    AppealOutcome,
    Comment,
    LiveSession,
    ReactionKind,
    Stance,
    Thread,
)
from deliberation.errors import ServiceError
from deliberation.idempotency import create_once, request_key
from deliberation.members.models import Unit

# --- forms ------------------------------------------------------------------------


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10000}),
        max_length=10000,
        help_text=gettext_lazy(
            "Markdown works: **bold**, *italic*, [links](https://…), "
            "lists. Mention a member with @username."
        ),
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Your stance"),
        choices=Stance.choices,
        initial=Stance.NEUTRAL,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Your stance"), choices=Stance.choices
    )


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("What do you want to discuss?"), max_length=200
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The reason is public."),
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=AppealOutcome.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    ends = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Kept on the thread for everyone."),
    )


# --- helpers ------------------------------------------------------------------------


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
        c.created_text = local.strftime("%Y-%m-%d %H:%M")
        alive = c.deleted is None
        c.show_edited = bool(c.edited) and alive
        c.can_react = can_post and alive and not c.hidden
        c.can_edit = c.is_own and alive and not c.hidden
        c.can_appeal = c.is_own and c.hidden
        c.can_flag = can_post and not c.is_own and not c.hidden
        c.can_reply = can_post
        c.mod_action = (
            ("restore" if c.hidden else "hide") if moderator and alive else ""
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


def _thread_for(request, pk) -> Thread:
    return selectors.get_readable_thread(viewer=request.user, pk=pk)


def _comment_for(request, cid) -> Comment:
    return selectors.get_readable_comment(viewer=request.user, pk=cid)


def _back(comment: Comment):
    return redirect(selectors.comment_url(comment))


def thread_context(request, thread: Thread, *, form=None, view: str = "") -> dict:
    """Everything the thread component needs — a fixed number of queries."""
    view = "arguments" if view == "arguments" else "conversation"
    ctx = {
        "thread": thread,
        "view": view,
        "can_post": perms.can_post_in_thread(request.user, thread),
        "form": form or CommentForm(),
        "sessions": selectors.sessions_of_thread(thread),
        "now": timezone.now(),
    }
    if view == "arguments":
        ctx["sides"] = selectors.arguments(thread=thread, viewer=request.user)
        ctx["moderator"] = perms.can_moderate(request.user, thread)
        shown = ctx["sides"]["for"] + ctx["sides"]["against"]
    else:
        tp = selectors.thread_page(
            thread=thread, viewer=request.user, page_number=request.GET.get("page") or 1
        )
        ctx.update(
            page=tp.page, roots=tp.roots, reacted=tp.reacted, moderator=tp.moderator
        )
        shown = [c for root in tp.roots for c in _walk(root)]
    decorate(
        shown, viewer=request.user, can_post=ctx["can_post"], moderator=ctx["moderator"]
    )
    if ctx["moderator"]:  # moderators see open flags on the page (one query)
        counts = selectors.flag_counts(c.pk for c in shown)
        for c in shown:
            c.open_flags = counts.get(c.pk, 0)
    ctx["t"] = comment_labels()
    ctx["placeholder"] = placeholder_comment(
        thread, can_post=ctx["can_post"], moderator=ctx["moderator"]
    )
    ctx["can_session"] = perms.can_run_live_session(request.user, thread.unit)
    return ctx


def _walk(comment):
    yield comment
    for child in comment.children:
        yield from _walk(child)


# --- thread -------------------------------------------------------------------------


@login_required
def thread_detail(request, pk: int):
    thread = _thread_for(request, pk)
    ctx = thread_context(request, thread, view=request.GET.get("view", ""))
    ctx["subject"] = thread_subject(thread)
    return render(request, "discussions/thread_detail.html", ctx)


def thread_subject(thread: Thread) -> dict | None:
    """The proposal or amendment a thread belongs to, for a link back (if any)."""
    try:
        if thread.kind == "proposal":
            p = thread.proposal
            return {"title": p.title, "url": f"/proposals/{p.pk}/"}
        if thread.kind == "amendment":
            a = thread.amendment
            return {
                "title": str(a),
                "url": f"/proposals/{a.proposal_id}/amendments/{a.pk}/",
            }
    except (AttributeError, ObjectDoesNotExist):
        return None
    return None


@login_required
def comment_create(request, pk: int):
    if request.method != "POST":
        return redirect("thread_detail", pk=pk)
    thread = _thread_for(request, pk)
    form = CommentForm(request.POST)
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
            nxt = request.POST.get("next", "")
            if nxt and url_has_allowed_host_and_scheme(
                nxt,
                allowed_hosts={request.get_host()},
                require_https=request.is_secure(),
            ):
                return redirect(f"{nxt.split('#')[0]}#c-{comment.pk}")
            return redirect(selectors.comment_url(comment))
    else:
        status = 400
    ctx = thread_context(request, thread, form=form)
    return render(request, "discussions/thread_detail.html", ctx, status=status)


@login_required
def comment_fragment(request, pk: int, cid: int):
    """One comment as HTML, for live.js to insert (never the raw text of others)."""
    comment = _comment_for(request, cid)
    if comment.thread_id != pk:
        raise Http404
    thread = comment.thread
    selectors.present_comments([comment], request.user, thread)
    selectors.attach_reactions(
        [comment], selectors.my_reactions(request.user, [comment.pk])
    )
    comment.children = []
    decorate(
        [comment],
        viewer=request.user,
        can_post=perms.can_post_in_thread(request.user, thread),
        moderator=perms.can_moderate(request.user, thread),
    )
    return render(
        request,
        "discussions/_comment.html",
        {"c": comment, "thread": thread, "fragment": True, "t": comment_labels()},
    )


@login_required
def comment_edit(request, cid: int):
    comment = _comment_for(request, cid)
    if not perms.can_edit_comment(request.user, comment):
        raise PermissionDenied(_("Only the author can edit a comment."))
    form = EditForm(
        request.POST or None, initial={"body": comment.body, "stance": comment.stance}
    )
    if request.method == "POST" and form.is_valid():
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
            return _back(comment)
    return render(
        request,
        "discussions/comment_form.html",
        {
            "comment": comment,
            "form": form,
            "title": _("Edit your comment"),
            "submit": _("Save"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def comment_delete(request, cid: int):
    comment = _comment_for(request, cid)
    services.delete_comment(comment=comment, actor=request.user)
    messages.success(request, _("Your text is deleted. Its place in the thread stays."))
    return _back(comment)


@login_required
@require_POST
def comment_react(request, cid: int):
    comment = _comment_for(request, cid)
    try:
        services.toggle_reaction(
            comment=comment, member=request.user, kind=request.POST.get("kind", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(comment)


@login_required
def comment_history(request, cid: int):
    comment = _comment_for(request, cid)
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


def _reason_page(request, cid, *, allowed, service, title, submit, intro, done):
    comment = _comment_for(request, cid)
    if not allowed(request.user, comment):
        raise PermissionDenied(_("You cannot do this here."))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(comment, request.user, form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return _back(comment)
    selectors.present_comments([comment], request.user, comment.thread)
    return render(
        request,
        "discussions/comment_form.html",
        {
            "comment": comment,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
        },
        status=400 if form.errors else 200,
    )


@login_required
def comment_flag(request, cid: int):
    return _reason_page(
        request,
        cid,
        allowed=lambda m, c: perms.can_post_in_thread(m, c.thread),
        service=lambda c, m, r: services.flag_comment(comment=c, member=m, reason=r),
        title=_("Flag this comment"),
        submit=_("Flag"),
        intro=_("Tell the moderators what is wrong. Only they see flags."),
        done=_("Thank you. The moderators will look at it."),
    )


@login_required
def comment_hide(request, cid: int):
    return _reason_page(
        request,
        cid,
        allowed=lambda m, c: perms.can_moderate(m, c.thread),
        service=lambda c, m, r: services.hide_comment(comment=c, moderator=m, reason=r),
        title=_("Hide this comment"),
        submit=_("Hide"),
        intro=_(
            "The reason goes to the public moderation log. The author can appeal "
            "once; another moderator decides."
        ),
        done=_("The comment is hidden and the reason is in the moderation log."),
    )


@login_required
def comment_restore(request, cid: int):
    return _reason_page(
        request,
        cid,
        allowed=lambda m, c: perms.can_moderate(m, c.thread),
        service=lambda c, m, r: services.restore_comment(
            comment=c, moderator=m, reason=r
        ),
        title=_("Restore this comment"),
        submit=_("Restore"),
        intro=_("The reason goes to the public moderation log."),
        done=_("The comment is visible again."),
    )


@login_required
def comment_appeal(request, cid: int):
    return _reason_page(
        request,
        cid,
        allowed=lambda m, c: c.author_id == m.pk,
        service=lambda c, m, r: services.appeal_hiding(comment=c, author=m, reason=r),
        title=_("Appeal the hiding"),
        submit=_("Send appeal"),
        intro=_(
            "You can appeal once. A different moderator than the one who hid it "
            "decides, and the decision is public."
        ),
        done=_("Your appeal is sent."),
    )


@login_required
@require_POST
def appeal_decide(request, aid: int):
    appeal = get_object_or_404(Appeal, pk=aid)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
    else:
        try:
            services.decide_appeal(
                appeal=appeal,
                moderator=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The appeal is decided; the decision is public.")
            )
    return redirect("moderation")


# --- units, sessions, moderation ---------------------------------------------------


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
    page = Paginator(selectors.list_threads(unit_id=unit.pk), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "discussions/unit_threads.html",
        {
            "unit": unit,
            "page": page,
            "form": form,
            "can_open": perms.can_open_thread(request.user, unit),
            "sessions": list(
                selectors.list_live_sessions(unit_id=unit.pk, upcoming=True)
            ),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def session_new(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    if not perms.can_run_live_session(request.user, unit):
        raise PermissionDenied(
            _("Only a facilitator of this unit can schedule sessions.")
        )
    thread = None
    if request.GET.get("thread", "").isdigit():
        thread = Thread.objects.filter(pk=request.GET["thread"], unit=unit).first()
    form = SessionForm(
        request.POST or None, initial={"title": thread.title if thread else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_live_session(
                unit=unit, facilitator=request.user, thread=thread, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect(session.thread.get_absolute_url())
    return render(
        request,
        "discussions/session_form.html",
        {
            "unit": unit,
            "form": form,
            "thread": thread,
            "title": _("Schedule a live session"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def session_close(request, sid: int):
    session = get_object_or_404(
        LiveSession.objects.select_related("unit", "thread"), pk=sid
    )
    if not perms.can_run_live_session(request.user, session.unit):
        raise PermissionDenied(
            _("Only a facilitator of this unit can close the session.")
        )
    form = MinutesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_live_session(
                session=session,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The session is closed; the minutes are on the thread.")
            )
            return redirect(session.thread.get_absolute_url())
    return render(
        request,
        "discussions/session_form.html",
        {
            "unit": session.unit,
            "form": form,
            "session": session,
            "title": _("Close the session with minutes"),
        },
        status=400 if form.errors else 200,
    )


def moderation(request):
    """The public moderation log; moderators also see open flags and appeals."""
    page = Paginator(selectors.moderation_log(), 50).get_page(request.GET.get("page"))
    ctx = {"page": page, "flags": [], "appeals": []}
    if request.user.is_authenticated:
        ctx["flags"] = selectors.open_flags_for(request.user)
        ctx["appeals"] = selectors.open_appeals_for(request.user)
        ctx["decide_form"] = DecideForm()
    return render(request, "discussions/moderation.html", ctx)


# --- blocks on other pages (frontend/feed.py) ---------------------------------------


def unit_block(request, unit):
    if not perms.is_member(request.user):
        return None
    threads = list(selectors.list_threads(unit_id=unit.pk)[:5])
    sessions = list(selectors.list_live_sessions(unit_id=unit.pk, upcoming=True)[:5])
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
        LiveSession.objects.filter(
            unit_id__in=units, closed__isnull=True, ends__gt=timezone.now()
        )
        .select_related("unit", "thread")
        .order_by("starts")[:5]
    )
    if not sessions:
        return None
    return {
        "template": "discussions/_home_block.html",
        "sessions": sessions,
        "now": timezone.now(),
    }
