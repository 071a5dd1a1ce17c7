"""What each audit action says, registered by the area that records it.

An entry stores a stable `action` code and its `data` (ids, dates, role codes); what
a reader sees is rendered at display time (`rendering.render_entries`) from the
registered message, in the reader's language, with the names of roles, units,
members and objects and links to them. So an entry written years ago reads in
today's words and in Swedish or English alike.

* `register_action(code, label=..., message=..., values=...)` — `message` is a
  translatable format string with `%(name)s` placeholders, or a function of the entry
  returning one; `values(entry)` gives the placeholders: plain values (escaped) or
  `Ref(kind, id)` to be named and linked. `unit` (the entry's unit) is always there.
* `register_ref_kind(kind, resolve)` — `resolve(ids) -> {id: (text, url | None)}`,
  one query per kind per page, whatever the number of entries.

The core registers its own actions and kinds (members, discussions); the apps
register theirs in `AppConfig.ready` (the core never imports the apps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import AuditEntry


@dataclass(frozen=True)
class Ref:
    """An object named in an entry: rendered as its name, linked where it has a page."""

    kind: str
    id: Any
    fallback: str = ""


Message = Any  # a (lazy) translatable format string
Values = Callable[["AuditEntry"], Mapping[str, Any]]


@dataclass(frozen=True)
class Action:
    code: str
    label: Any
    message: Message | Callable[[AuditEntry], Message]
    values: Values = field(default=lambda entry: {})


_actions: dict[str, Action] = {}
_ref_kinds: dict[str, Callable[[set[str]], dict[str, tuple[str, str | None]]]] = {}


def register_action(
    code: str,
    *,
    label: Any,
    message: Message | Callable[[AuditEntry], Message],
    values: Values | None = None,
) -> None:
    """Register (or replace, on a re-import) how one action reads."""
    _actions[code] = Action(
        code=code, label=label, message=message, values=values or (lambda e: {})
    )


def register_ref_kind(
    kind: str, resolve: Callable[[set[str]], dict[str, tuple[str, str | None]]]
) -> None:
    _ref_kinds[kind] = resolve


def action_for(code: str) -> Action | None:
    return _actions.get(code)


def registered_actions() -> list[Action]:
    return [_actions[c] for c in sorted(_actions)]


def action_codes() -> list[str]:
    return sorted(_actions)


def resolve_refs(refs: Iterable[Ref]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Name every reference: one `resolve` call per kind."""
    by_kind: dict[str, set[str]] = {}
    for ref in refs:
        if ref.id not in (None, ""):
            by_kind.setdefault(ref.kind, set()).add(str(ref.id))
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for kind, ids in by_kind.items():
        resolve = _ref_kinds.get(kind)
        if resolve is None:
            continue
        for key, named in resolve(ids).items():
            out[(kind, str(key))] = named
    return out
