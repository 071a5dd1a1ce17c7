"""Moderation pages: flag, hide, restore, appeal (one reason form each), deciding
an appeal, and the public moderation log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors, services
from deliberation.discussions.models import Appeal
from deliberation.errors import ServiceError

from .discussion_display import back_to_comment, comment_for
from .discussion_forms import DecideForm, ReasonForm


def _reason_page(
    request, cid, *, allowed, service, title, submit, intro, done, help_text=None
):
    comment = comment_for(request, cid)
    if not allowed(request.user, comment):
        raise PermissionDenied(_("You cannot do this here."))
    form = ReasonForm(request.POST or None, help_text=help_text)
    if request.method == "POST" and form.is_valid():
        try:
            service(comment, request.user, form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return back_to_comment(comment)
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
        intro=_("Tell the moderators what is wrong with this comment."),
        # Who sees a flag: open_flags_qs (the unit's moderators, with the flagger's
        # name); it is not in the moderation log, the thread or the API for others.
        help_text=_(
            "Only the moderators of this unit see your flag: its reason and your "
            "name. The author and other members do not. If a moderator hides the "
            "comment, the moderator's own reason is what becomes public."
        ),
        done=_("Thank you. The moderators will look at it."),
    )


@login_required
def comment_hide(request, cid: int):
    return _reason_page(
        request,
        cid,
        allowed=perms.can_moderate_comment,
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
        allowed=perms.can_moderate_comment,
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
        help_text=_(
            "The moderators of the unit read your reason; their decision and its "
            "reason are public."
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


def moderation(request):
    """The public moderation log; moderators also see open flags and appeals."""
    log = selectors.moderation_log(viewer=request.user)
    page = Paginator(log, 50).get_page(request.GET.get("page"))
    ctx: dict[str, Any] = {"page": page, "flags": [], "appeals": []}
    if request.user.is_authenticated:
        ctx["flags"] = selectors.open_flags_for(request.user)
        ctx["appeals"] = selectors.open_appeals_for(request.user)
        ctx["decide_form"] = DecideForm()
    return render(request, "discussions/moderation.html", ctx)
