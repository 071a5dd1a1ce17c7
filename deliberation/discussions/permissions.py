"""Who may do what in discussions — plain predicates reused by the API, the pages and
the websocket consumer (docs/permissions.md has the whole matrix).

* read a thread: a signed-in member, when its subject's rule allows it
  (`subjects.py`: a unit's discussion is open to every member — transparency; a
  proposal's or an amendment's thread follows the proposal: a draft's thread only
  for its authors and invited co-authors);
* post, react, flag: who may read it and is a member of the thread's unit or of a unit
  below it;
* hide/restore, decide appeals: a moderator of the thread's unit (or an ancestor), never
  about their own comment; an appeal is decided by another moderator than the one who
  hid the comment;
* schedule and close live sessions: a facilitator of the branch.
Facilitators and moderators hold no other power.
"""

from __future__ import annotations

from typing import TypeGuard

from deliberation.members.models import Member, Membership, Role, Unit
from deliberation.members.permissions import has_role, is_member_of, unit_ids_of
from deliberation.members.viewer import Viewer, signed_in

from .models import Appeal, Comment, Thread
from .subjects import subject_allows


def _authenticated(member: Viewer | None) -> TypeGuard[Member]:
    return signed_in(member) and member.is_active


def is_member(member: Viewer | None) -> bool:
    """A signed-in account with a current membership somewhere (or a superuser)."""
    if not _authenticated(member):
        return False
    if member.is_superuser:
        return True
    return (
        bool(unit_ids_of(member))
        or Membership.objects.current().filter(member=member).exists()
    )


def can_read_thread(member: Viewer | None, thread: Thread) -> bool:
    """The one read rule of a thread, asked by every surface (API, pages, socket,
    follows, feeds); `selectors.readable_threads` is the same rule for lists."""
    return is_member(member) and subject_allows(member, thread)


def can_post_in_thread(member: Viewer | None, thread: Thread) -> bool:
    return (
        _authenticated(member)
        and is_member_of(member, thread.unit)
        and can_read_thread(member, thread)
    )


def can_open_thread(member: Viewer | None, unit: Unit) -> bool:
    return _authenticated(member) and is_member_of(member, unit)


def can_moderate(member: Viewer | None, thread: Thread) -> bool:
    """A moderator of the thread's unit (or above) who may read the thread."""
    if not _authenticated(member):
        return False
    cache = member.__dict__.setdefault("_torget_moderates", {})
    if thread.unit_id not in cache:
        cache[thread.unit_id] = has_role(member, thread.unit, Role.MODERATOR)
    return cache[thread.unit_id] and can_read_thread(member, thread)


def can_moderate_comment(member: Viewer | None, comment: Comment) -> bool:
    """Hide or restore this comment: a moderator, never about their own comment."""
    return comment.author_id != getattr(member, "pk", None) and can_moderate(
        member, comment.thread
    )


def can_edit_comment(member: Viewer | None, comment: Comment) -> bool:
    return (
        _authenticated(member)
        and comment.author_id == member.pk
        and comment.deleted is None
    )


def can_see_hidden_text(
    member: Viewer | None, comment: Comment, *, moderator: bool | None = None
) -> bool:
    if not _authenticated(member):
        return False
    if comment.author_id == member.pk:
        return True
    return moderator if moderator is not None else can_moderate(member, comment.thread)


def can_decide_appeal(member: Viewer | None, appeal: Appeal, thread: Thread) -> bool:
    """Another moderator than the one who hid it, and never the comment's author."""
    return (
        appeal.hidden_by_id != getattr(member, "pk", None)
        and appeal.author_id != getattr(member, "pk", None)
        and can_moderate(member, thread)
    )


def can_run_live_session(member: Viewer | None, unit: Unit) -> bool:
    return _authenticated(member) and has_role(member, unit, Role.FACILITATOR)
