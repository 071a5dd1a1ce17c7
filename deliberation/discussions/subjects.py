"""One read rule per kind of thread subject (docs/permissions.md).

A thread belongs to a subject: a unit's own discussion, a proposal, an amendment, and
later a poll or a congress item. Whether a member may read the thread is whether they
may read its subject, and only the app that owns the subject knows that. So apps
register a rule for their kind (the core never imports the apps), the way they
register beat entries with `deliberation.celery.add_beat_entry`:

    register_subject_rule(
        "proposal",
        can_read=lambda viewer, thread: ...,      # one thread (detail, socket, post)
        visible_filter=lambda viewer: Q(...),     # the same rule as a Thread filter
        related=("proposal",),                    # select_related for can_read
    )

`can_read` and `visible_filter` must agree; the permission matrix tests both for
every cell. A kind without a registered rule is readable by nobody (closed by
default), so a new kind of subject cannot leak before its app says who may read it.
Every rule is asked only for signed-in members (`permissions.is_member`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer

    from .models import Thread


@dataclass(frozen=True)
class SubjectRule:
    kind: str
    can_read: Callable[..., bool]
    visible_filter: Callable[..., Q]
    related: tuple[str, ...] = ()
    is_public: Callable[..., bool] | None = None


_rules: dict[str, SubjectRule] = {}


def register_subject_rule(
    kind: str,
    *,
    can_read: Callable[..., bool],
    visible_filter: Callable[..., Q],
    related: tuple[str, ...] = (),
    is_public: Callable[..., bool] | None = None,
) -> None:
    """Register (or replace, on a re-import) the read rule of one kind of subject.
    `is_public(thread)` says whether every member may read it (its title may then
    appear on public pages such as the audit log); by default it is not."""
    _rules[kind] = SubjectRule(
        kind=kind,
        can_read=can_read,
        visible_filter=visible_filter,
        related=tuple(related),
        is_public=is_public,
    )


def rule_for(kind: str) -> SubjectRule | None:
    return _rules.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_rules)


def related_fields() -> list[str]:
    """What `select_related` needs so that every `can_read` runs without a query."""
    return sorted({name for rule in _rules.values() for name in rule.related})


def subject_allows(viewer: Viewer | None, thread: Thread) -> bool:
    rule = _rules.get(thread.kind)
    return rule is not None and bool(rule.can_read(viewer, thread))


def public_title(thread) -> str:
    """The thread's title where every member may read it, else only its number — for
    public records (the audit log) of what happened in a private thread."""
    rule = _rules.get(thread.kind)
    if rule is not None and rule.is_public is not None and rule.is_public(thread):
        return thread.title
    return f"#{thread.pk}"


def readable_filter(viewer: Viewer | None, prefix: str = "") -> Q:
    """A Q over Thread rows (or rows reaching a thread through `prefix`, e.g.
    "thread__") selecting the threads whose subject the viewer may read — one
    query for a list, whatever the kinds."""
    q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for kind, rule in _rules.items():
        part = rule.visible_filter(viewer)
        if prefix:
            part = _prefixed(part, prefix)
        q |= Q(**{f"{prefix}kind": kind}) & part
    return q


def _prefixed(q: Q, prefix: str) -> Q:
    """The same Q with every lookup reached through `prefix`."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            key, value = child  # type: ignore[misc]
            out.children.append((f"{prefix}{key}", value))
    return out
