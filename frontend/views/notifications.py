"""Notification pages: the one-click unsubscribe (no sign-in)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from deliberation.notifications.kinds import kind_for
from deliberation.notifications.unsubscribe import unsubscribe as do_unsubscribe


@csrf_exempt  # RFC 8058: mail clients POST without a session; the token is the proof
@require_http_methods(["GET", "POST", "HEAD"])
def unsubscribe(request, token: str):
    done = do_unsubscribe(token) if request.method != "HEAD" else None
    if done is None and request.method != "HEAD":
        return render(
            request,
            "notifications/unsubscribe.html",
            {"invalid": True, "title": _("Unsubscribe")},
            status=400,
        )
    kind = kind_for(done[1]) if done else None
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": kind.label if kind else "", "title": _("Unsubscribe")},
    )
