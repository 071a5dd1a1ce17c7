"""Errors raised by services. The API turns them into 4xx JSON, the pages into
messages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ServiceError(Exception):
    """A request that the rules refuse (400). `code` is stable for clients."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class Conflict(ServiceError):
    """The request clashes with the current state (409), e.g. supporting twice."""

    code = "conflict"


class Unprocessable(ServiceError):
    """Well-formed but not acceptable (422), e.g. an idempotency key reused with a
    different request."""

    code = "unprocessable"


class NotAllowed(PermissionDenied):
    """The actor may not do this (403)."""


class NotFound(Http404):
    """No such object, or none the viewer may see (404). Unlike a bare Http404, its
    message is meant for the reader: the API answers it as `{"detail": message}`."""
