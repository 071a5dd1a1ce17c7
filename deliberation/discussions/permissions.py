"""Who may do what in discussions — plain predicates reused by the API, the pages and
the websocket consumer (docs/realtime.md, "Permissions").

* read a thread: any signed-in member (transparency);
* post, react, flag: a member of the thread's unit or of a unit below it;
* hide/restore, decide appeals: a moderator of the thread's unit (or an ancestor);
  an appeal is decided by another moderator than the one who hid the comment;
* schedule and close live sessions: a facilitator of the branch.
Facilitators and moderators hold no other power.
"""

from __future__ import annotations

from deliberation.members.models import Membership
from deliberation.members.permissions import has_role, is_member_of, unit_ids_of


def _authenticated(member) -> bool:
    return bool(getattr(member, "is_authenticated", False)) and member.is_active


def is_member(member) -> bool:
    """A signed-in account with a current membership somewhere (or a superuser)."""
    if not _authenticated(member):
        return False
    if member.is_superuser:
        return True
    return (
        bool(unit_ids_of(member))
        or Membership.objects.current().filter(member=member).exists()
    )


def can_read_thread(member, thread) -> bool:
    return is_member(member)


def can_post_in_thread(member, thread) -> bool:
    return _authenticated(member) and is_member_of(member, thread.unit)


def can_open_thread(member, unit) -> bool:
    return _authenticated(member) and is_member_of(member, unit)


def can_moderate(member, thread) -> bool:
    if not _authenticated(member):
        return False
    cache = member.__dict__.setdefault("_torget_moderates", {})
    if thread.unit_id not in cache:
        cache[thread.unit_id] = has_role(member, thread.unit, "moderator")
    return cache[thread.unit_id]


def can_edit_comment(member, comment) -> bool:
    return (
        _authenticated(member)
        and comment.author_id == member.pk
        and comment.deleted is None
    )


def can_see_hidden_text(member, comment, *, moderator: bool | None = None) -> bool:
    if not _authenticated(member):
        return False
    if comment.author_id == member.pk:
        return True
    return moderator if moderator is not None else can_moderate(member, comment.thread)


def can_decide_appeal(member, appeal, thread) -> bool:
    return can_moderate(member, thread) and appeal.hidden_by_id != member.pk


def can_run_live_session(member, unit) -> bool:
    return _authenticated(member) and has_role(member, unit, "facilitator")
