"""Audit entries rendered for a reader, at display time (see registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime

from django.urls import reverse
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime

from .models import AuditEntry
from .registry import Ref, action_for, resolve_refs


def when(value: str | None, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """An ISO date-time from an entry's data, as a date (or `fmt`) in the reader's
    format and the site's time zone."""
    parsed: datetime | None = parse_datetime(value) if value else None
    if parsed is None:
        return value or "—"
    if is_aware(parsed):
        parsed = localtime(parsed)
    return formats.date_format(parsed, fmt)


def _values(entry: AuditEntry) -> dict:
    action = action_for(entry.action)
    values: dict = {}
    if entry.unit_id:
        values["unit"] = Ref("unit", entry.unit_id)
    if action is not None:
        with suppress(KeyError, TypeError, ValueError):  # an old row lacking data
            values.update(action.values(entry))
    return values


def _message(entry: AuditEntry) -> str | None:
    action = action_for(entry.action)
    if action is None:
        return None
    message = action.message(entry) if callable(action.message) else action.message
    return str(message)


def render_entries(entries: Sequence[AuditEntry]) -> Sequence[AuditEntry]:
    """Give each entry `label`, `html` (safe, with links) and `text` (plain), in the
    active language. One query per kind of object named, for the whole list."""
    values = {e.pk: _values(e) for e in entries}
    # The entry's own unit is loaded with it (select_related): no query to name it.
    known = {
        ("unit", str(e.unit_id)): (e.unit.name, url_or_none("unit_detail", e.unit_id))
        for e in entries
        if "unit" in e._state.fields_cache and e.unit is not None
    }
    refs = [
        v
        for vals in values.values()
        for v in vals.values()
        if isinstance(v, Ref) and (v.kind, str(v.id)) not in known
    ]
    named = known | resolve_refs(refs)
    for entry in entries:
        action = action_for(entry.action)
        entry.label = str(action.label) if action else entry.action  # type: ignore[attr-defined]
        message = _message(entry)
        if message is None:
            entry.html = escape(entry.summary)  # type: ignore[attr-defined]
            entry.text = entry.summary  # type: ignore[attr-defined]
            continue
        html: dict[str, str] = {}
        text: dict[str, str] = {}
        for key, value in values[entry.pk].items():
            if isinstance(value, Ref):
                name, url = named.get(
                    (value.kind, str(value.id)),
                    (value.fallback or f"#{value.id}", None),
                )
                text[key] = name
                html[key] = (
                    format_html('<a href="{}">{}</a>', url, name)
                    if url
                    else escape(name)
                )
            else:
                text[key] = str(value)
                html[key] = escape(str(value))
        try:
            entry.html = mark_safe(escape(message) % html)  # type: ignore[attr-defined]  # noqa: S308
            entry.text = message % text  # type: ignore[attr-defined]
        except (KeyError, TypeError, ValueError):
            entry.html = escape(entry.summary)  # type: ignore[attr-defined]
            entry.text = entry.summary  # type: ignore[attr-defined]
    return entries


def render_entry(entry: AuditEntry) -> SafeString:
    return render_entries([entry])[0].html  # type: ignore[attr-defined]


def url_or_none(name: str, *args) -> str | None:
    """A page's address, or None where the page does not exist (yet)."""
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
