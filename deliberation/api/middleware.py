"""Everything under /api/ answers JSON, errors included (README "Input rules").

Django answers some errors before or around DRF with HTML: an unknown path, a CSRF
failure of a plain view, DEBUG's technical 404/500 pages. For /api/ paths this
middleware turns any such error response into `{"detail": ...}` with the same status
and headers; the browsable docs (/api/docs/) stay HTML.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from deliberation.inputs import BadParameter

logger = logging.getLogger(__name__)

HTML_PATHS = ("/api/docs/",)
KEPT_HEADERS = ("Allow", "Retry-After", "Vary", "WWW-Authenticate")


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith(HTML_PATHS)


def _detail(status: int) -> str:
    messages = {
        400: _("Bad request."),
        403: _("Not allowed."),
        404: _("Not found."),
        405: _("Method not allowed."),
        413: _("The request body is too large."),
        500: _("Server error."),
    }
    if status in messages:
        return messages[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _("Error.")


def json_error(status: int, payload: dict | None = None) -> JsonResponse:
    return JsonResponse(payload or {"detail": _detail(status)}, status=status)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
        ):
            replacement = json_error(response.status_code)
            for header in KEPT_HEADERS:
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """Client errors raised by plain (non-DRF) views under /api/."""
        if not is_api_path(request.path):
            return None
        if isinstance(exception, BadParameter):
            return json_error(400, {exception.name: [exception.message]})
        if isinstance(exception, RequestDataTooBig):
            return json_error(413)
        return None
