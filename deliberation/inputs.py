"""What a client sends, checked in one place (README "API", "Input rules").

* Query parameters are read by `query_int`, `query_bool`, `query_choice` and
  `query_date`: a value that is not what the endpoint takes is a 400 naming the
  parameter, never ignored.
* Integers: ids are 1 … 2**63 - 1 (a PostgreSQL `bigint`, SQLite's INTEGER). The `id`
  path converter answers 404 beyond that, `query_int` a 400 naming the parameter, and
  `IdField` (forms) and `deliberation.api.fields.IdField` (DRF) refuse it as a field
  error. JSON numbers beyond 64 bits are refused when parsed.
* JSON (API bodies and websocket frames): `loads_json` refuses documents that nest
  deeper than `MAX_JSON_DEPTH`, integers beyond 64 bits, NaN and infinities, before
  anything else sees them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, overload

from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MIN_INT = -(2**63)
MAX_JSON_DEPTH = 32
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(9998, 12, 31)


class BadParameter(BadRequest):
    """A query parameter that is not what the endpoint takes: 400 naming it (the API
    answers `{name: [message]}`, a page the 400 page with the message)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@overload
def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    minimum: int = ...,
    maximum: int = ...,
    default: int,
) -> int: ...


@overload
def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    minimum: int = ...,
    maximum: int = ...,
    default: None = ...,
) -> int | None: ...


def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    minimum: int = 1,
    maximum: int = MAX_ID,
    default: int | None = None,
) -> int | None:
    """The whole number `params[name]` in [minimum, maximum]; `default` when absent or
    empty; anything else is `BadParameter`. The only way Torget reads an integer from
    a query string (ids, page sizes, revision numbers)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = str(raw).strip()
    # ASCII digits only: str.isdigit() also says yes to "²", which int() refuses.
    if not re.fullmatch(r"-?[0-9]{1,20}", value):
        raise BadParameter(name, _whole_number_message(minimum, maximum))
    number = int(value)
    if not minimum <= number <= maximum:
        raise BadParameter(name, _whole_number_message(minimum, maximum))
    return number


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def query_bool(params: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    """`?name=true|false` (also 1/0, yes/no, on/off); absent or empty is `default`,
    anything else `BadParameter`."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = str(raw).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise BadParameter(name, _("Use true or false."))


def query_choice(
    params: Mapping[str, Any], name: str, choices: Iterable[str]
) -> str | None:
    """One of `choices`, None when absent or empty, anything else `BadParameter`."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise BadParameter(
            name, _("Use one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        )
    return str(raw)


def query_date(params: Mapping[str, Any], name: str) -> date | None:
    """A calendar date `YYYY-MM-DD` (periods: `since`, `until`); None when absent or
    empty, anything else `BadParameter`."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = str(raw).strip()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        day = date.fromisoformat(value)
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValueError(value)
        return day
    except ValueError:
        raise BadParameter(
            name,
            _("Use a date as YYYY-MM-DD, from %(min)s to %(max)s.")
            % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        ) from None


def _whole_number_message(minimum: int, maximum: int) -> str:
    return _("Must be a whole number from %(min)d to %(max)d.") % {
        "min": minimum,
        "max": maximum,
    }


class IdConverter:
    """`<id:pk>` in URL patterns: 1 … 2**63 - 1; anything else does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("id out of range")
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))


class IdFormField(forms.IntegerField):
    """A form field holding an id (hidden `author`, `parent`, ...)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


# --- JSON -----------------------------------------------------------------------


class JSONInputError(ValueError):
    """A JSON document Torget does not take; the message is for the client, `field`
    (when known) the key where it is, dotted for nested ones (`answers.0.question`)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# Strings (with escapes) are skipped whole, so brackets inside them do not count.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects in `text` nest deeper than `limit` (without recursion,
    so a 10,000-deep document costs one linear scan)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _STRUCTURE.finditer(text):
        first = match.group()[0]
        if first in "[{":
            depth += 1
            if depth > limit:
                return True
        elif first in "]}":
            depth -= 1
    return False


def _no_constants(name: str):
    raise JSONInputError(_("%(value)s is not valid JSON.") % {"value": name})


def loads_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a client's JSON, or raise `JSONInputError` with a message for them."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONInputError(_("Send JSON encoded as UTF-8.")) from exc
    if json_too_deep(text, max_depth):
        raise JSONInputError(
            _("JSON nests too deep (at most %(n)d levels).") % {"n": max_depth}
        )
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except JSONInputError:
        raise
    except ValueError as exc:  # JSONDecodeError, or more than 4300 digits
        raise JSONInputError(_("Invalid JSON: %(error)s") % {"error": exc}) from exc
    _check_numbers(data, "")
    return data


def _check_numbers(value: Any, path: str) -> None:
    """Integers within 64 bits and finite floats, anywhere (depth is bounded)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not MIN_INT <= value <= MAX_ID:
            raise JSONInputError(_("Numbers must fit in 64 bits."), field=path or None)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise JSONInputError(_("Numbers must be finite."), field=path or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, f"{path}.{index}" if path else str(index))
