"""Posting, editing and deleting comments."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.members.models import Member

from .. import permissions as perms
from ..models import Comment, CommentRevision, Mention, Thread, ThreadEvent
from ..notifying import comment_posted, mentions_made
from ..payloads import TEXT_KEYS, without_text
from ._common import _locked, _validate_body, _validate_stance
from .rate_limits import check_comment_rate
from .rendering import comment_event_data, mentioned_members, render_comment
from .threads import append_thread_event, store_thread_event, take_comment_seq


def post_comment(
    *,
    thread: Thread,
    author: Member,
    body: str,
    stance: str | None = None,
    parent: Comment | int | None = None,
    enforce_rate: bool = True,
) -> Comment:
    if not perms.can_post_in_thread(author, thread):
        raise NotAllowed(
            _("Only members of %(unit)s can comment here.") % {"unit": thread.unit.name}
        )
    body = _validate_body(body)
    stance = _validate_stance(stance)
    if parent is not None and not isinstance(parent, Comment):
        try:
            parent = Comment.objects.get(pk=parent)
        except Comment.DoesNotExist:
            raise ServiceError(
                _("The comment you reply to does not exist."), code="bad_parent"
            ) from None
    if parent is not None and parent.thread_id != thread.pk:
        raise ServiceError(
            _("You can only reply to a comment in the same thread."), code="bad_parent"
        )
    if enforce_rate:
        check_comment_rate(author)
    mentioned = mentioned_members(body)
    # No savepoint: nothing here catches a database error and goes on (a caller's
    # transaction, e.g. create_once's, rolls back as a whole).
    with transaction.atomic(savepoint=False):
        comment = Comment.objects.create(
            thread=thread,
            author=author,
            stance=stance,
            body=body,
            body_html=render_comment(body, mentioned),
            parent=parent,
            root_id=(parent.root_id or parent.pk) if parent else None,
            depth=(parent.depth + 1) if parent else 0,
        )
        mentioned = readers(mentioned, thread, but=author)
        Mention.objects.bulk_create(
            [Mention(comment=comment, member=m) for m in mentioned],
            ignore_conflicts=True,
        )
        comment_posted(comment, mentioned)
        # Last: the thread row (seq, count, activity) — every poster in the thread
        # waits for it until this transaction commits, so it is held for as short
        # as possible. The new count travels with the event, so every open page
        # shows it live (and a replay, which keeps non-text keys, shows it in order).
        seq, count = take_comment_seq(thread_id=thread.pk, activity=comment.created)
        comment.seq = seq
        Comment.objects.filter(pk=comment.pk).update(seq=seq)
        store_thread_event(
            thread_id=thread.pk,
            seq=seq,
            type="comment.created",
            object_id=comment.pk,
            data=comment_event_data(comment) | {"comment_count": count},
        )
    return comment


def readers(members: Iterable[Member], thread: Thread, *, but: Member) -> list[Member]:
    """The mentioned members who may read the thread (a mention in a draft's thread
    must not tell anyone else about it), without the writer."""
    return [m for m in members if m.pk != but.pk and perms.can_read_thread(m, thread)]


def erase_text_from_events(comment: Comment) -> int:
    """Remove any comment text from the comment's stored events (new events never
    keep it; this also cleans events stored before that rule). Returns how many."""
    events = [
        e
        for e in ThreadEvent.objects.filter(
            thread_id=comment.thread_id, object_id=str(comment.pk)
        ).only("id", "data")
        if isinstance(e.data, dict) and TEXT_KEYS & e.data.keys()
    ]
    for e in events:
        e.data = without_text(e.data)
    ThreadEvent.objects.bulk_update(events, ["data"])
    return len(events)


@transaction.atomic
def edit_comment(
    *, comment: Comment, actor: Member, body: str, stance: str | None = None
) -> Comment:
    comment = _locked(comment)
    if comment.author_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the author can edit a comment."))
    if comment.deleted is not None:
        raise Conflict(_("This comment was deleted."), code="deleted")
    if comment.hidden:
        raise Conflict(
            _("A hidden comment cannot be edited; you can appeal instead."),
            code="hidden",
        )
    body = _validate_body(body)
    stance = _validate_stance(stance or comment.stance)
    if body == comment.body and stance == comment.stance:
        return comment
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        stance=comment.stance,
        created=comment.edited or comment.created,
    )
    mentioned = mentioned_members(body)
    comment.body = body
    comment.stance = stance
    comment.body_html = render_comment(body, mentioned)
    comment.edited = timezone.now()
    comment.save(update_fields=["body", "stance", "body_html", "edited"])
    mentioned = readers(mentioned, comment.thread, but=actor)
    before = set(
        Mention.objects.filter(comment=comment).values_list("member_id", flat=True)
    )
    Mention.objects.bulk_create(
        [Mention(comment=comment, member=m) for m in mentioned],
        ignore_conflicts=True,
    )
    mentions_made(comment, [m.pk for m in mentioned if m.pk not in before])
    append_thread_event(
        thread=comment.thread_id,
        type="comment.edited",
        object_id=comment.pk,
        data=comment_event_data(comment),
    )
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, actor: Member) -> Comment:
    """The author removes their text (and its history); the place in the thread stays
    so replies keep their context. Deleting twice changes nothing."""
    comment = _locked(comment)
    if comment.author_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the author can delete a comment."))
    if comment.deleted is not None:
        return comment
    comment.body = ""
    comment.body_html = ""
    comment.deleted = timezone.now()
    comment.save(update_fields=["body", "body_html", "deleted"])
    comment.revisions.all().delete()
    comment.mentions.all().delete()
    erase_text_from_events(comment)
    append_thread_event(
        thread=comment.thread_id,
        type="comment.deleted",
        object_id=comment.pk,
        data=comment_event_data(comment),
    )
    return comment
