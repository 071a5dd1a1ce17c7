"""Every API error is JSON naming the problem; service-level errors become 4xx."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from deliberation.api.parsers import RequestTooLarge
from deliberation.errors import Conflict, NotFound, ServiceError, Unprocessable
from deliberation.inputs import BadParameter
from deliberation.unavailable import is_database_unavailable
from deliberation.unavailable import log as log_unavailable
from deliberation.unavailable import payload as unavailable_payload


def exception_handler(exc, context):
    if is_database_unavailable(exc):
        request = context.get("request")
        log_unavailable(exc, getattr(request, "path", "?"))
        return Response(
            unavailable_payload(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, Conflict):
        return Response(
            {"detail": str(exc), "code": exc.code}, status=status.HTTP_409_CONFLICT
        )
    elif isinstance(exc, Unprocessable):
        return Response(
            {"detail": str(exc), "code": exc.code},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    elif isinstance(exc, ServiceError):
        return Response(
            {"detail": str(exc), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, BadParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response
