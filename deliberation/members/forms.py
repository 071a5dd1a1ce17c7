"""Sign-in forms that tell a refused member why and for how long."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from . import login_limits


def _locked_error(request) -> forms.ValidationError | None:
    lock = login_limits.lock_of(request) if request is not None else None
    if lock is None:
        return None
    return forms.ValidationError(lock.message, code="locked")


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # All three work (members/backends.py): say so.
        self.fields["username"].label = _("Username, e-mail or member number")

    def get_invalid_login_error(self):
        return _locked_error(self.request) or super().get_invalid_login_error()


class AdminSignInForm(AdminAuthenticationForm):
    def get_invalid_login_error(self):
        return _locked_error(self.request) or super().get_invalid_login_error()


class QueuedPasswordResetForm(PasswordResetForm):
    """The reset e-mail is rendered in the request (in the member's language) and sent
    by a Celery task after commit: a slow or unreachable SMTP server neither delays
    nor fails the request, and the task retries until the server is back."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(
            loader.render_to_string(subject_template_name, context).splitlines()
        )
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        from .tasks import send_prepared_email_task

        transaction.on_commit(
            partial(
                send_prepared_email_task.delay,
                subject,
                body,
                from_email,
                [to_email],
                html,
            ),
            robust=True,  # a broker that is down is logged; the request still answers
        )
