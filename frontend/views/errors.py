"""Error pages; API paths answer JSON instead of HTML."""

import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from deliberation import unavailable
from deliberation.inputs import BadParameter


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(
        request,
        "errors/error.html",
        {"title": _("Page not found"), "code": 404},
        status=404,
    )


def forbidden(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or _("Not allowed.")}, status=403)
    return render(
        request,
        "errors/error.html",
        {"title": _("Not allowed"), "code": 403, "message": str(exception or "")},
        status=403,
    )


def bad_request(request, exception=None):
    """A parameter that is not what the page takes names itself (`BadParameter`)."""
    if _is_api(request):
        if isinstance(exception, BadParameter):
            return JsonResponse({exception.name: [exception.message]}, status=400)
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    message = ""
    if isinstance(exception, BadParameter):
        message = f"{exception.name}: {exception.message}"
    return render(
        request,
        "errors/error.html",
        {"title": _("Bad request"), "code": 400, "message": message},
        status=400,
    )


def server_error(request):
    """500, or 503 when the database is unreachable (deliberation/unavailable.py)."""
    exc = sys.exc_info()[1]
    if exc is not None and unavailable.is_database_unavailable(exc):
        unavailable.log(exc, request.path)
        if _is_api(request):
            return unavailable.json_response()
        return unavailable.html_response()
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return render(
        request,
        "errors/error.html",
        {"title": _("Something went wrong"), "code": 500},
        status=500,
    )
