"""Invitation e-mails: a signed, one-time link to set a password.

The token is Django's password-reset token with its own salt and lifetime: it is bound
to the member's password hash and last login, so it stops working once used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Member


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "torget.members.invitation"

    def __init__(self):
        super().__init__()
        self.timeout = int(settings.TORGET["INVITATION_TIMEOUT"].total_seconds())

    def check_token(self, user, token):
        """As Django's, with the invitation's own lifetime."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(
                self._make_token_with_timestamp(user, ts, secret), token
            ):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_token = InvitationTokenGenerator()


def invitation_url(member: Member) -> str:
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = invitation_token.make_token(member)
    return settings.SITE_URL + reverse("invitation_accept", args=[uid, token])


def send_invitation(member: Member) -> bool:
    """Send the invitation once. Returns False when there was nothing to send."""
    if (
        member.invited_at is not None
        or member.has_usable_password()
        or not member.email
    ):
        return False
    lang = member.language or settings.LANGUAGE_CODE
    with translation.override(lang):
        subject = _("Welcome to Torget — set your password")
        body = _(
            "Hello %(name)s,\n\n"
            "You are a member of the party and can now propose, discuss and vote on "
            "Torget. Your username is %(username)s.\n\n"
            "Choose your password here (the link works once and for %(days)d days):\n"
            "%(url)s\n"
        ) % {
            "name": member.display_name,
            "username": member.username,
            "days": settings.TORGET["INVITATION_TIMEOUT"].days,
            "url": invitation_url(member),
        }
    send_mail(subject, body, None, [member.email])
    type(member).objects.filter(pk=member.pk).update(invited_at=timezone.now())
    return True
