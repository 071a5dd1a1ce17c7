from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.members import login_limits
from deliberation.members.forms import QueuedPasswordResetForm, SignInForm
from deliberation.members.invitations import invitation_token
from deliberation.members.selectors import memberships_of, roles_of
from deliberation.members.services import update_profile
from deliberation.members.viewer import member_of
from deliberation.notifications.models import Channel
from deliberation.notifications.preferences import preferences_of

from .delegations import settings_context as delegation_settings


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login under the sign-in limits (deliberation/members/login_limits.py):
    a refused attempt shows why and for how long, with 429 and `Retry-After`."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        response = super().form_valid(form)
        lang = form.get_user().language
        if lang:
            response.set_cookie("django_language", lang, samesite="Lax")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """At most PASSWORD_RESET_MAX_PER_EMAIL e-mails to one address and
    PASSWORD_RESET_MAX_PER_ADDRESS requests from one client per window."""

    email_template_name = "registration/password_reset_email.txt"
    form_class = QueuedPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        lock = login_limits.check_password_reset(
            request=self.request, email=form.cleaned_data["email"]
        )
        if lock is None:
            return super().form_valid(form)
        form.add_error(None, lock.message)
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(lock.retry_after)
        return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of the invitation e-mail: choose a password, then sign in."""

    token_generator = invitation_token
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    post_reset_login = False
    reset_url_token = "set-password"  # noqa: S105

    def form_valid(self, form):
        messages.success(
            self.request, _("Your password is set. Welcome — sign in below.")
        )
        return super().form_valid(form)


class ProfileForm(forms.Form):
    """Name and language; the e-mail address is shown, not changed (see
    `update_profile`)."""

    full_name = forms.CharField(
        label=gettext_lazy("Full name"), max_length=200, required=False
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[
            ("", gettext_lazy("Follow the browser")),
            ("sv", "Svenska"),
            ("en", "English"),
        ],
        required=False,
    )


@login_required
def settings_page(request):
    member = member_of(request)
    form = ProfileForm(
        request.POST or None,
        initial={"full_name": member.full_name, "language": member.language},
    )
    if request.method == "POST" and form.is_valid():
        member = update_profile(member=member, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        response = redirect("settings")
        if member.language:
            translation.activate(member.language)
            response.set_cookie("django_language", member.language, samesite="Lax")
        return response
    return render(
        request,
        "members/settings.html",
        {
            "form": form,
            "memberships": memberships_of(request.user),
            "roles": roles_of(request.user),
            **delegation_settings(member),
            "notification_preferences": preferences_of(member),
            "notification_channels": Channel.choices,
        },
        status=400 if form.errors else 200,
    )
