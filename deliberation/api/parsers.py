"""The API's JSON parser: bodies are checked before any view sees them (README
"Input rules"): at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413), valid UTF-8 JSON
nesting at most `MAX_JSON_DEPTH` levels with numbers that fit in 64 bits, and an
object at the top (a view that takes a list says so with `json_top_level = list`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import (  # type: ignore[attr-defined]  # not in the stubs yet
    get_encoding,
)

from deliberation.inputs import JSONInputError, loads_json


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int | None = None):
        limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            _("The request body is too large (at most %(n)d bytes).") % {"n": limit}
        )


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(limit)
        encoding = get_encoding(parser_context)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(
                _("The body is not valid %(encoding)s.") % {"encoding": encoding}
            ) from exc
        try:
            data = loads_json(text)
        except JSONInputError as exc:
            if exc.field:
                raise ValidationError({exc.field: [exc.message]}) from exc
            raise ParseError(exc.message) from exc
        expected = getattr(parser_context.get("view"), "json_top_level", dict)
        if not isinstance(data, expected):
            if expected is dict:
                raise ParseError(_("Send a JSON object ({...}) as the body."))
            raise ParseError(_("Send a JSON array ([...]) as the body."))
        return data
