"""The database unreachable (restarting, failed over, out of connections) is a 503
with a clear message and `Retry-After`, never a 500: the request may simply be sent
again — creates with the same `Idempotency-Key` are never made twice
(`deliberation/idempotency.py`). Used by the API's exception handler (DRF views)
and by the 500 handler (anything else, middleware included)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER = "5"
CODE = "database_unavailable"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A lost or refused database connection (Django's wrapped driver errors)."""
    return isinstance(exc, OperationalError | InterfaceError)


def message() -> str:
    return _("The database is not reachable at the moment. Try again shortly.")


def payload() -> dict[str, str]:
    return {"detail": message(), "code": CODE}


def log(exc: BaseException, path: str) -> None:
    logger.warning(
        "Database unavailable, answered 503 for %s: %s: %s",
        path,
        type(exc).__name__,
        str(exc).strip()[:300],
    )


def json_response() -> JsonResponse:
    response = JsonResponse(payload(), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def html_response() -> HttpResponse:
    """A page without templates: the site's templates read the session (the
    database) and would fail the same way."""
    title = escape(_("Torget is not available right now"))
    body = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"</head><body><h1>{title}</h1><p>{escape(message())}</p></body></html>"
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER
    return response
