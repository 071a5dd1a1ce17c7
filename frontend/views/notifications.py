"""Notification pages: the list (`/notifications/`), marking read, the preferences
form on `/settings/`, and the one-click unsubscribe (no sign-in). All work without
JavaScript; notifications.js keeps the header badge live."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from deliberation.members.viewer import member_of
from deliberation.notifications import preferences, selectors, services
from deliberation.notifications.kinds import kind_for
from deliberation.notifications.payloads import notification_payload
from deliberation.notifications.unsubscribe import unsubscribe as do_unsubscribe

PAGE = 25


@login_required
def notification_list(request):
    member = member_of(request)
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notifications_for(member, unread=unread_only)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    items = [notification_payload(n, member) for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": items, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_read(request):
    member = member_of(request)
    if request.POST.get("all"):
        services.mark_read(member=member, all=True)
    else:
        ids = [
            int(i) for i in request.POST.getlist("id") if i.isdigit() and len(i) < 19
        ]
        services.mark_read(member=member, ids=ids)
    return redirect(request.POST.get("next") or "notifications")


@login_required
@require_POST
def preferences_save(request):
    member = member_of(request)
    items = [
        {"kind": item["kind"], "channel": request.POST.get(f"kind-{item['kind']}")}
        for item in preferences.preferences_of(member)
        if request.POST.get(f"kind-{item['kind']}")
    ]
    try:
        preferences.set_preferences(member, items)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("settings")
    messages.success(request, _("Your notification settings are saved."))
    return redirect("settings")


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
    label = ""
    if done and done[1].startswith("digest:"):
        label = _("Daily digest") if done[1].endswith("daily") else _("Weekly digest")
    elif done:
        kind = kind_for(done[1])
        label = str(kind.label) if kind else ""
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "title": _("Unsubscribe")},
    )
