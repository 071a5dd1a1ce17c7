"""Member profiles (`/members/{id}/`: name, units, public role terms, published
proposals, recent comments the viewer may read, a follow button) and "My proposals"
(`/proposals/mine/`). Members only, like the proposal pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.discussions.selectors import recent_comments_by
from deliberation.errors import ServiceError
from deliberation.members.selectors import member_profile
from deliberation.notifications import services as follow_services
from deliberation.notifications.models import Follow, FollowTarget
from proposals import selectors as proposal_selectors

from .proposal_display import with_cards


@login_required
def member_detail(request, pk: int):
    member = member_profile(pk)
    if member is None:
        raise Http404(_("No such member."))
    viewer = request.user
    terms = getattr(member, "role_terms", [])
    return render(
        request,
        "members/profile.html",
        {
            "profile": member,
            "roles_now": [r for r in terms if r.is_current],
            "roles_past": [r for r in terms if not r.is_current],
            "proposals": with_cards(
                proposal_selectors.public_proposals_by(author_id=pk, viewer=viewer)
            ),
            "comments": recent_comments_by(author_id=pk, viewer=viewer),
            "is_self": viewer.pk == member.pk,
            "now": timezone.now(),
            "follows": Follow.objects.filter(
                member=viewer, target_kind=FollowTarget.MEMBER, target_id=pk
            ).exists(),
        },
    )


@login_required
@require_POST
def member_follow(request, pk: int):
    """Follow or unfollow (`action=unfollow`) a member: plain form, then back."""
    if member_profile(pk) is None:
        raise Http404(_("No such member."))
    kind = FollowTarget.MEMBER
    try:
        if request.POST.get("action") == "unfollow":
            follow_services.unfollow(
                member=request.user, target_kind=kind, target_id=pk
            )
            messages.success(request, _("You no longer follow this member."))
        else:
            follow_services.follow(member=request.user, target_kind=kind, target_id=pk)
            messages.success(request, _("You follow this member."))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("member_detail", pk=pk)


@login_required
def my_proposals(request):
    lists = proposal_selectors.my_proposals(member=request.user)
    return render(
        request,
        "proposals/mine.html",
        {name: with_cards(items) for name, items in lists.items()},
    )
