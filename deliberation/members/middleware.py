"""A refused sign-in answers 429 with `Retry-After`, whichever view asked."""

from __future__ import annotations

from . import login_limits


class SignInLimitMiddleware:
    """The backend marks the request when the limits refuse an attempt
    (`login_limits.py`); the sign-in page, the admin's login and the token endpoint
    then render their form or JSON, and this sets the status and the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        lock = login_limits.lock_of(request)
        if lock is not None:
            response.status_code = 429
            response["Retry-After"] = str(lock.retry_after)
        return response
