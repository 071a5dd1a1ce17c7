"""The buttons of the proposal pages: one POST per action on a proposal or an
amendment, and writing an amendment (POST-redirect-GET)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.errors import ServiceError
from deliberation.idempotency import create_once, request_key
from deliberation.notifications import services as follow_services
from deliberation.notifications.models import FollowTarget
from proposals import selectors, services
from proposals.models import Amendment

from .proposal_forms import (
    AmendmentForm,
    apply_errors,
)


def _run(request, fn, success: str) -> bool:
    try:
        fn()
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def proposal_action(request, pk: int, action: str | None = None):
    """One POST endpoint per action (`/proposals/{id}/support/`, `…/publish/` …) and
    `/proposals/{id}/act/` with `action=` for forms with several buttons."""
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    user = request.user
    action = action or request.POST.get("action", "")
    actions = {
        "support": (
            lambda: services.support_proposal(proposal=proposal, member=user),
            _("You support this proposal."),
        ),
        "unsupport": (
            lambda: services.withdraw_support(proposal=proposal, member=user),
            _("Your support is taken back."),
        ),
        "publish": (
            lambda: services.publish_proposal(proposal=proposal, actor=user),
            _("Published."),
        ),
        "withdraw": (
            lambda: services.withdraw_proposal(proposal=proposal, actor=user),
            _("The proposal is withdrawn."),
        ),
        "accept_coauthor": (
            lambda: services.accept_coauthorship(proposal=proposal, member=user),
            _("You are now a co-author."),
        ),
        "decline_coauthor": (
            lambda: services.decline_coauthorship(proposal=proposal, member=user),
            _("Invitation declined."),
        ),
        "follow": (
            lambda: follow_services.follow(
                member=user, target_kind=FollowTarget.PROPOSAL, target_id=proposal.pk
            ),
            _("You follow this proposal."),
        ),
        "unfollow": (
            lambda: follow_services.unfollow(
                member=user, target_kind=FollowTarget.PROPOSAL, target_id=proposal.pk
            ),
            _("You no longer follow this proposal."),
        ),
    }
    if action not in actions:
        messages.error(request, _("Unknown action."))
    else:
        _run(request, *actions[action])
    if action == "decline_coauthor" and not proposal.is_published:
        return redirect("proposal_list")
    return redirect(reverse("proposal_detail", args=[pk]) + "#support")


@login_required
@require_POST
def amendment_create(request, pk: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            amendment, _created = create_once(
                member=request.user,
                key=request_key(request),
                model=Amendment,
                create=lambda: services.create_amendment(
                    proposal=proposal, actor=request.user, **form.cleaned_data
                ),
            )
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your amendment is published."))
            return redirect("amendment_detail", pk=pk, amendment_id=amendment.pk)
    return render(
        request,
        "proposals/amendment_new.html",
        {"proposal": proposal, "form": form},
        status=400,
    )


@login_required
@require_POST
def amendment_action(request, pk: int, amendment_id: int):
    selectors.get_visible_proposal(viewer=request.user, pk=pk)
    amendment = get_object_or_404(Amendment, pk=amendment_id, proposal_id=pk)
    user = request.user
    actions = {
        "support": (
            lambda: services.support_amendment(amendment=amendment, member=user),
            _("You support this amendment."),
        ),
        "unsupport": (
            lambda: services.withdraw_amendment_support(
                amendment=amendment, member=user
            ),
            _("Your support is taken back."),
        ),
        "accept": (
            lambda: services.accept_amendment(amendment=amendment, actor=user),
            _("Amendment accepted: the proposal has a new revision."),
        ),
        "withdraw": (
            lambda: services.withdraw_amendment(amendment=amendment, actor=user),
            _("Amendment withdrawn."),
        ),
    }
    action = request.POST.get("action", "")
    if action in actions:
        _run(request, *actions[action])
    else:
        messages.error(request, _("Unknown action."))
    return redirect("amendment_detail", pk=pk, amendment_id=amendment_id)
