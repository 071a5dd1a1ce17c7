from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import Member


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username (member number for imported members) or the e-mail."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        candidates = list(
            Member.objects.filter(
                Q(username__iexact=username) | Q(email__iexact=username)
            )[:2]
        )
        if len(candidates) != 1:
            Member().set_password(password)  # same work either way (timing)
            return None
        member = candidates[0]
        if member.check_password(password) and self.user_can_authenticate(member):
            return member
        return None
