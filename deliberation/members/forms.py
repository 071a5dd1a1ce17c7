"""Sign-in forms that tell a refused member why and for how long."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import login_limits


class _SignInLimitMessage:
    request: object

    def get_invalid_login_error(self):
        lock = login_limits.lock_of(self.request) if self.request else None
        if lock is not None:
            return forms.ValidationError(lock.message, code="locked")
        return super().get_invalid_login_error()  # type: ignore[misc]


class SignInForm(_SignInLimitMessage, AuthenticationForm):
    pass


class AdminSignInForm(_SignInLimitMessage, AdminAuthenticationForm):
    pass
