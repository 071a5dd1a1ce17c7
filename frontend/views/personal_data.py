"""/settings/data/: download your data, delete your account (docs/personal-data.md).
Thin: the services in deliberation/members/exports.py and erasure.py do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deliberation.errors import ServiceError
from deliberation.members import login_limits
from deliberation.members.erasure import cancel_erasure, request_erasure
from deliberation.members.exports import export_path, request_export
from deliberation.members.models import DataExport, ErasureRequest, ExportState
from deliberation.members.viewer import member_of


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        max_length=512,
    )
    keep_comments = forms.BooleanField(
        label=gettext_lazy(
            "Keep the text of my comments in the discussions, anonymously"
        ),
        required=False,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, erase my personal data and close my account"),
        required=True,
    )

    def __init__(self, *args, member, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not login_limits.check_own_password(
            request=self.request, member=self.member, password=password
        ):
            lock = login_limits.lock_of(self.request)
            raise forms.ValidationError(
                lock.message if lock is not None else _("Wrong password.")
            )
        return password


def _page(request, form: DeleteAccountForm, status: int = 200):
    member = member_of(request)
    exports = list(DataExport.objects.filter(member=member).order_by("-created")[:5])
    downloadable = set()
    for export in exports:
        if export_path(export) is not None:
            downloadable.add(export.pk)
        elif export.state == ExportState.READY:
            export.state = ExportState.EXPIRED
    return render(
        request,
        "members/data.html",
        {
            "exports": [(e, e.pk in downloadable) for e in exports],
            "pending_export": any(e.state == ExportState.PENDING for e in exports),
            "erasure": ErasureRequest.objects.filter(member=member).first(),
            "form": form,
            "ERASURE_GRACE_DAYS": settings.ERASURE_GRACE_DAYS,
        },
        status=status,
    )


@login_required
def data_page(request):
    return _page(request, DeleteAccountForm(member=member_of(request)))


@login_required
@require_POST
def export_request(request):
    request_export(member=member_of(request))
    messages.success(
        request,
        _("Your data export is being prepared. It will be listed here when ready."),
    )
    return redirect("settings_data")


@login_required
@require_POST
def delete_request(request):
    member = member_of(request)
    form = DeleteAccountForm(request.POST, member=member, request=request)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        pending = request_erasure(
            member=member, keep_comments=form.cleaned_data["keep_comments"]
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("settings_data")
    if pending is None:
        logout(request)
        messages.success(request, _("Your personal data has been erased. Goodbye."))
        return redirect("home")
    messages.success(request, _("Your account will be deleted as planned."))
    return redirect("settings_data")


@login_required
@require_POST
def delete_cancel(request):
    if cancel_erasure(member=member_of(request)):
        messages.success(request, _("The deletion of your account is cancelled."))
    return redirect("settings_data")
