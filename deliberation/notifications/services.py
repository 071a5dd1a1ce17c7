"""Writes for notifications: follows, marking read. Delivery is in delivery.py,
preferences in preferences.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deliberation.errors import NotAllowed
from deliberation.members.models import Member

from .models import Follow, FollowTarget
from .targets import followable


def _check_target(*, member: Member, target_kind: str, target_id: int) -> None:
    if target_kind not in FollowTarget.values:
        raise ValidationError(
            {
                "target_kind": [
                    _("Unknown kind; use one of: %(k)s.")
                    % {"k": ", ".join(FollowTarget.values)}
                ]
            }
        )
    obj = followable(member, target_kind, target_id)
    if obj is None:
        # Missing and not readable answer the same: a draft's existence is private.
        raise ValidationError({"target_id": [_("Nothing to follow with this id.")]})
    if target_kind == FollowTarget.MEMBER and obj.pk == member.pk:
        raise NotAllowed(_("You cannot follow yourself."))


def follow(*, member: Member, target_kind: str, target_id: int) -> tuple[Follow, bool]:
    """Idempotent: following twice keeps one follow. Returns (follow, created)."""
    _check_target(member=member, target_kind=target_kind, target_id=target_id)
    try:
        with transaction.atomic():
            return Follow.objects.create(
                member=member, target_kind=target_kind, target_id=target_id
            ), True
    except IntegrityError:
        return Follow.objects.get(
            member=member, target_kind=target_kind, target_id=target_id
        ), False


def unfollow(*, member: Member, target_kind: str, target_id: int) -> bool:
    deleted, _n = Follow.objects.filter(
        member=member, target_kind=target_kind, target_id=target_id
    ).delete()
    return bool(deleted)


def remove_follow(*, member: Member, follow_id: int) -> bool:
    """Delete one of the member's own follows by its id; False when the member has
    no follow with that id (someone else's answers the same as a missing one)."""
    deleted, _n = Follow.objects.filter(pk=follow_id, member=member).delete()
    return bool(deleted)


def mark_read(
    *, member: Member, ids: list[int] | None = None, all: bool = False
) -> int:
    """Mark the member's notifications read (only their own; unknown ids are
    ignored). Returns the unread count after."""
    from django.utils import timezone

    from .models import Notification
    from .selectors import unread_count

    qs = Notification.objects.filter(recipient=member, read__isnull=True)
    if not all:
        qs = qs.filter(pk__in=ids or [])
    if qs.update(read=timezone.now()):
        from .live import push_unread

        transaction.on_commit(lambda: push_unread(member.pk))
    return unread_count(member)
