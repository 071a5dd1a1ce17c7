"""What discussions tell the notifications (inside the transaction of the change):
a reply to its parent's author, a mention to the mentioned, a moderation decision to
the comment's author, a live session to the members of its branch. Writers follow
the thread they write in (they can unfollow)."""

from __future__ import annotations

from collections.abc import Iterable

from deliberation.members.models import Member, Membership
from deliberation.notifications.emit import notify
from deliberation.notifications.models import Follow, FollowTarget

from .models import Comment, LiveSession, Thread


def thread_data(thread: Thread) -> dict:
    data = {"thread": thread.pk, "title": thread.title}
    proposal = getattr(thread, "proposal", None) if thread.kind == "proposal" else None
    if proposal is not None:
        data |= {"proposal": proposal.pk, "proposal_title": proposal.title}
    return data


def auto_follow(member_id: int, thread: Thread) -> None:
    """Writers follow their thread once; unfollowing later is respected as long as
    they do not write there again."""
    Follow.objects.bulk_create(
        [
            Follow(
                member_id=member_id,
                target_kind=FollowTarget.THREAD,
                target_id=thread.pk,
            )
        ],
        ignore_conflicts=True,
    )


def comment_posted(comment: Comment, mentioned: Iterable[Member]) -> None:
    thread = comment.thread
    data = thread_data(thread)
    auto_follow(comment.author_id, thread)
    parent_author = None
    if comment.parent_id is not None:
        parent_author = _parent_author(comment)
        if parent_author and parent_author != comment.author_id:
            notify(
                "reply",
                subject=comment,
                actor=comment.author,
                recipients=[parent_author],
                key=f"reply:{comment.pk}",
                data=data,
            )
    mentions_made(comment, [m.pk for m in mentioned if m.pk != parent_author], data)


def _parent_author(comment: Comment) -> int | None:
    """The replied-to comment's author, from the parent the writer already loaded."""
    if Comment.parent.is_cached(comment) and comment.parent is not None:
        return comment.parent.author_id
    if comment.parent_id is None:
        return None
    return (
        Comment.objects.filter(pk=comment.parent_id)
        .values_list("author_id", flat=True)
        .first()
    )


def mentions_made(
    comment: Comment, member_ids: list[int], data: dict | None = None
) -> None:
    data = data if data is not None else thread_data(comment.thread)
    for member_id in member_ids:
        if member_id == comment.author_id:
            continue
        notify(
            "mention",
            subject=comment,
            actor=comment.author,
            recipients=[member_id],
            key=f"mention:{comment.pk}:{member_id}",
            data=data,
        )


def moderation_decided(
    comment: Comment, *, decision: str, reason: str, key: str
) -> None:
    notify(
        "moderation",
        subject=comment,
        actor=None,  # moderation is public by role, not by name, in the message
        recipients=[comment.author_id],
        key=key,
        data=thread_data(comment.thread) | {"decision": decision, "reason": reason},
    )


def session_started(session: LiveSession) -> None:
    """Everyone with a current membership of the session's branch."""
    members = Membership.objects.current().filter(unit_id=session.unit_id)
    notify(
        "session_started",
        subject=session,
        actor=session.facilitator,
        recipients=list(members.values_list("member_id", flat=True).distinct()),
        key=f"session_started:{session.pk}",
        data=thread_data(session.thread)
        | {"title": session.title, "unit": session.unit.name, "session": session.pk},
    )
