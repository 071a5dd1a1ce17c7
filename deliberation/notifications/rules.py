"""The core's read rules for notifications: threads, comments and live sessions
answer as the pages do (`can_read_thread`, hidden and deleted comments). Apps
register their own subjects (proposals, polls) in their `AppConfig.ready`."""

from __future__ import annotations

from django.db.models import Q

from deliberation.members.models import Member, Membership

from .kinds import register_read_rule


def members_among(ids) -> list[int]:
    """The ids of active accounts with a current membership (or superusers): who may
    read anything at all (`discussions.permissions.is_member`)."""
    ids = list(ids)
    with_membership = Membership.objects.current().filter(member_id__in=ids)
    return list(
        Member.objects.filter(pk__in=ids, is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=with_membership.values("member_id")))
        .values_list("pk", flat=True)
    )


def thread_readers(thread, ids) -> list[int]:
    from deliberation.discussions.permissions import can_read_thread
    from deliberation.discussions.subjects import rule_for

    members = members_among(ids)
    rule = rule_for(thread.kind)
    if rule is None:
        return []
    if rule.is_public is not None and rule.is_public(thread):
        return members
    return [
        m.pk
        for m in Member.objects.filter(pk__in=members)
        if can_read_thread(m, thread)
    ]


def _comment_visible_to(comment, member_id: int) -> bool:
    if comment.deleted is not None:
        return False
    return not comment.hidden or comment.author_id == member_id


def comment_readers(comment, ids) -> list[int]:
    return [
        m
        for m in thread_readers(comment.thread, ids)
        if _comment_visible_to(comment, m)
    ]


def can_read_comment(member, comment) -> bool:
    from deliberation.discussions.permissions import can_read_thread

    return can_read_thread(member, comment.thread) and _comment_visible_to(
        comment, member.pk
    )


def register_core_rules() -> None:
    from deliberation.discussions.permissions import can_read_thread
    from deliberation.discussions.subjects import related_fields

    def via_thread() -> tuple[str, ...]:
        return ("thread", *(f"thread__{r}" for r in related_fields()))

    register_read_rule(
        "discussions.thread",
        can_read=can_read_thread,
        readers=thread_readers,
        related=lambda: tuple(related_fields()),
    )
    register_read_rule(
        "discussions.comment",
        can_read=can_read_comment,
        readers=comment_readers,
        related=via_thread,
    )
    register_read_rule(
        "discussions.livesession",
        can_read=lambda member, session: can_read_thread(member, session.thread),
        readers=lambda session, ids: thread_readers(session.thread, ids),
        related=via_thread,
    )
