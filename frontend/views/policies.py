"""A unit's proposal policy: everyone reads it, administrators change it (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import ServiceError
from deliberation.members.models import Unit
from proposals import permissions, selectors, services

from .proposal_forms import (
    PolicyForm,
    apply_errors,
)


@login_required
def unit_policy(request, pk: int):
    """The rules proposals of a unit follow; administrators change them (audited)."""
    unit = get_object_or_404(Unit, pk=pk)
    policy = selectors.policy_for_unit(unit)
    can_edit = permissions.can_edit_policy(request.user, unit)
    form = None
    if can_edit:
        form = PolicyForm(request.POST or None, instance=policy)
        if request.method == "POST" and form.is_valid():
            values = {f: form.cleaned_data[f] for f in services.POLICY_FIELDS}
            try:
                services.set_unit_policy(
                    actor=request.user,
                    unit=unit,
                    reason=form.cleaned_data["reason"],
                    **values,
                )
            except (ServiceError, ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The policy is changed and logged."))
                return redirect("unit_policy", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied(
            _("Only administrators of this unit can change its policy.")
        )
    return render(
        request,
        "proposals/policy.html",
        {
            "unit": unit,
            "policy": policy,
            "form": form,
            "inherited": policy.unit_id != unit.pk,
            "versions": list(selectors.policy_versions(unit)[:100]),
            "current_id": getattr(selectors.own_policy(unit), "pk", None),
            "now": timezone.now(),
            "can_propose": permissions.can_propose_in(request.user, unit),
        },
        status=400 if request.method == "POST" else 200,
    )
