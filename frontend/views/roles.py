"""Granting and ending roles from the unit page (administrators of the unit)."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deliberation.errors import ServiceError
from deliberation.members.models import Member, Role, RoleAssignment, Unit
from deliberation.members.permissions import can_manage_roles
from deliberation.members.services import end_role, grant_role


class GrantRoleForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Member (username)"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    starts = forms.DateField(
        label=gettext_lazy("Starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends = forms.DateField(
        label=gettext_lazy("Ends"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (public)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_username(self):
        member = Member.objects.filter(username=self.cleaned_data["username"]).first()
        if member is None:
            raise forms.ValidationError(_("No member has that username."))
        return member

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("A role must end after it starts."))
        return data


class EndRoleForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (public)"), max_length=2000)


def _aware(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_POST
def grant(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    if not can_manage_roles(request.user, unit):
        raise PermissionDenied(_("Only an administrator of this unit may grant roles."))
    form = GrantRoleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            grant_role(
                actor=request.user,
                member=d["username"],
                unit=unit,
                role=d["role"],
                starts=_aware(d["starts"]),
                ends=_aware(d["ends"]),
                reason=d["reason"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The role is granted and recorded in the audit log.")
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("unit_detail", pk=unit.pk)


@login_required
@require_POST
def end(request, pk: int, role_id: int):
    assignment = get_object_or_404(RoleAssignment, pk=role_id, unit_id=pk)
    if not can_manage_roles(request.user, assignment.unit):
        raise PermissionDenied(_("Only an administrator of this unit may end roles."))
    form = EndRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason: it is published in the audit log."))
    else:
        try:
            end_role(
                actor=request.user,
                assignment=assignment,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The role has ended; the audit log says why."))
    return redirect("unit_detail", pk=pk)
