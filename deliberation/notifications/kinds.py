"""What kinds of notification exist and who may see one (docs/notifications.md).

Apps fill both registries in `AppConfig.ready`, so the core never imports them:

    register_read_rule(
        "proposals.proposal",                       # the subject's model label
        can_read=lambda member, proposal: ...,      # the pages' rule, one member
        readers=lambda proposal, ids: {...},        # optional: the same rule in bulk
    )
    register_kind(
        "proposal_state",
        label=_("A proposal you follow changes state"),
        default_channel="in_app",
        render=lambda event, viewer: Rendered(text=..., url=...),
        read_rule="proposals.proposal",             # default: the subject's label
    )

`render` runs with the viewer's language active (the request's, or the member's for
e-mail and digests) and must not query per viewer. A subject without a read rule is
readable by nobody: a new kind cannot leak before its app says who may read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from django.db import models

    from deliberation.members.models import Member

    from .models import NotificationEvent

CHANNELS = ("off", "in_app", "email", "daily", "weekly")


@dataclass(frozen=True)
class Rendered:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Kind:
    kind: str
    label: Any
    default_channel: str
    render: Callable[..., Rendered]
    read_rule: str | None = None
    group: Callable[..., tuple[str, str]] | None = None
    audience: Callable[..., Iterable[int]] | None = None


@dataclass(frozen=True)
class ReadRule:
    name: str
    can_read: Callable[..., bool]
    readers: Callable[..., Iterable[int]] | None = None
    related: Callable[[], Iterable[str]] | tuple[str, ...] = field(
        default_factory=tuple
    )


_kinds: dict[str, Kind] = {}
_rules: dict[str, ReadRule] = {}


def register_kind(
    kind: str,
    *,
    label: Any,
    render: Callable[..., Rendered],
    default_channel: str = "in_app",
    read_rule: str | None = None,
    group: Callable[..., tuple[str, str]] | None = None,
    audience: Callable[..., Iterable[int]] | None = None,
) -> None:
    """Register (or replace) one kind. `group(event)` → (key, title) groups digest
    lines (by proposal or thread); by default the subject. `audience(event,
    subject)` → member ids adds recipients resolved at delivery (a poll's voter
    roll: too many to list in the event)."""
    if default_channel not in CHANNELS:
        raise ValueError(f"unknown channel {default_channel!r}")
    _kinds[kind] = Kind(
        kind=kind,
        label=label,
        default_channel=default_channel,
        render=render,
        read_rule=read_rule,
        group=group,
        audience=audience,
    )


def register_read_rule(
    name: str,
    *,
    can_read: Callable[..., bool],
    readers: Callable[..., Iterable[int]] | None = None,
    related: Iterable[str] | Callable[[], Iterable[str]] = (),
) -> None:
    """`can_read(member, subject)`; `readers(subject, member_ids)` → the ids among
    `member_ids` who may read (one or two queries for hundreds of members).
    `related` (or a function returning it, asked at load time) is what
    `select_related` needs for `can_read`."""
    _rules[name] = ReadRule(
        name=name,
        can_read=can_read,
        readers=readers,
        related=related if callable(related) else tuple(related),
    )


def kind_for(kind: str) -> Kind | None:
    return _kinds.get(kind)


def registered_kinds() -> list[str]:
    return list(_kinds)


def all_kinds() -> list[Kind]:
    return list(_kinds.values())


def subject_label(obj: models.Model) -> str:
    return obj._meta.label_lower


def rule_name(event: NotificationEvent) -> str:
    spec = _kinds.get(event.kind)
    return (spec.read_rule if spec else None) or event.subject_type


def load_subject(event: NotificationEvent) -> models.Model | None:
    rule = _rules.get(rule_name(event))
    try:
        model = apps.get_model(event.subject_type)
    except (LookupError, ValueError):
        return None
    qs = model.objects.all()
    if rule is not None:
        related = rule.related() if callable(rule.related) else rule.related
        if related:
            qs = qs.select_related(*related)
    return qs.filter(pk=event.subject_id).first()


def readers_among(
    event: NotificationEvent, subject: models.Model | None, ids: list[int]
) -> set[int]:
    """The members among `ids` who may read the event's subject now (nobody when
    it is gone or its kind has no rule)."""
    rule = _rules.get(rule_name(event))
    if rule is None or subject is None or not ids:
        return set()
    if rule.readers is not None:
        return set(rule.readers(subject, ids)) & set(ids)
    from deliberation.members.models import Member

    return {
        m.pk for m in Member.objects.filter(pk__in=ids) if rule.can_read(m, subject)
    }


def may_read(
    event: NotificationEvent, subject: models.Model | None, member: Member
) -> bool:
    rule = _rules.get(rule_name(event))
    return (
        rule is not None
        and subject is not None
        and bool(rule.can_read(member, subject))
    )
