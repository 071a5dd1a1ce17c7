"""What a member may follow, kind by kind. The core registers its own kinds (threads,
units, members); apps register theirs in `AppConfig.ready` (proposals: proposals and
topics), so the core never imports the apps. A follow is refused like a missing
object when the member may not read the target (docs/permissions.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps

from .models import FollowTarget

if TYPE_CHECKING:
    from django.db import models

    from deliberation.discussions.models import Thread
    from deliberation.members.models import Member


@dataclass(frozen=True)
class FollowTargetRule:
    kind: str
    model: str
    can_follow: Callable[..., bool] | None = None
    select_related: tuple[str, ...] = ()


_targets: dict[str, FollowTargetRule] = {}


def register_follow_target(
    kind: str,
    *,
    model: str,
    can_follow: Callable[..., bool] | None = None,
    select_related: tuple[str, ...] = (),
) -> None:
    _targets[kind] = FollowTargetRule(
        kind=kind,
        model=model,
        can_follow=can_follow,
        select_related=tuple(select_related),
    )


def followable(member: Member, kind: str, target_id: int) -> models.Model | None:
    """The target when it exists and the member may read it, else None."""
    rule = _targets.get(kind)
    if rule is None:
        return None
    qs = apps.get_model(rule.model).objects.all()
    if rule.select_related:
        qs = qs.select_related(*rule.select_related)
    obj = qs.filter(pk=target_id).first()
    if obj is None:
        return None
    if rule.can_follow is not None and not rule.can_follow(member, obj):
        return None
    return obj


def _can_follow_thread(member: Member, thread: Thread) -> bool:
    from deliberation.discussions.permissions import can_read_thread

    return can_read_thread(member, thread)


def register_core_targets() -> None:
    register_follow_target(FollowTarget.UNIT, model="members.Unit")
    register_follow_target(FollowTarget.MEMBER, model="members.Member")
    register_follow_target(
        FollowTarget.THREAD, model="discussions.Thread", can_follow=_can_follow_thread
    )


def target_kind_of(obj: models.Model) -> str | None:
    """The follow kind of an object (its model registered as a target), or None."""
    label = obj._meta.label
    for rule in _targets.values():
        if rule.model.lower() == label.lower():
            return rule.kind
    return None
