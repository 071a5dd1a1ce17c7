"""Sign-in forms that tell a refused member why and for how long."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import login_limits


def _locked_error(request) -> forms.ValidationError | None:
    lock = login_limits.lock_of(request) if request is not None else None
    if lock is None:
        return None
    return forms.ValidationError(lock.message, code="locked")


class SignInForm(AuthenticationForm):
    def get_invalid_login_error(self):
        return _locked_error(self.request) or super().get_invalid_login_error()


class AdminSignInForm(AdminAuthenticationForm):
    def get_invalid_login_error(self):
        return _locked_error(self.request) or super().get_invalid_login_error()
