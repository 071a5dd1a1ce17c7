from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from . import login_limits
from .models import Member


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username, the e-mail or the member number (imported members),
    under the sign-in limits (`login_limits.py`) — for the page, the admin and the API
    alike, since all of them authenticate through here."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        candidates = list(
            Member.objects.filter(
                Q(username__iexact=username)
                | Q(email__iexact=username)
                | Q(member_number__iexact=username)
            )[:2]
        )
        member = candidates[0] if len(candidates) == 1 else None
        # The account, not the name typed: username and e-mail share one count.
        account = f"member:{member.pk}" if member else f"name:{username.lower()}"

        def check():
            if member is None:
                Member().set_password(password)  # same work either way (timing)
                return None
            if member.check_password(password) and self.user_can_authenticate(member):
                return member
            return None

        return login_limits.guard_sign_in(request=request, account=account, check=check)
