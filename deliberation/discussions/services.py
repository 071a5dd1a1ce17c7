"""Writes for discussions. Every change a watcher should see is appended to the
thread's event stream with the next `seq` and published after commit
(docs/realtime.md). Services check permissions, lock what they change and record
every use of power in the audit log."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.markdown import render_markdown
from deliberation.members.models import Member
from deliberation.realtime.events import publish_on_commit, thread_group

from . import permissions as perms
from .models import (
    Appeal,
    AppealOutcome,
    Comment,
    CommentRevision,
    Flag,
    LiveSession,
    Mention,
    ModerationAction,
    ModerationKind,
    Reaction,
    ReactionKind,
    Stance,
    Thread,
    ThreadEvent,
    ThreadKind,
)

MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_.+-]{1,150})")
REASON_MAX = 1000


class RateLimited(ServiceError):
    """Posting too fast (429 in the API)."""

    code = "rate_limited"

    def __init__(self, message: str, *, wait: int):
        super().__init__(message)
        self.wait = wait


def comment_max_length() -> int:
    return int(getattr(settings, "COMMENT_MAX_LENGTH", 10_000))


# --- threads and the event stream ---------------------------------------------------


def create_thread(
    *, title: str, unit, actor=None, kind: str = ThreadKind.UNIT
) -> Thread:
    return Thread.objects.create(
        title=title[:200], unit=unit, kind=kind, created_by=actor
    )


def open_thread(*, title: str, unit, actor) -> Thread:
    """A branch's own discussion, opened by any member of the unit."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("A thread needs a title."), code="title_required")
    if len(title) > 200:
        raise ServiceError(
            _("The title can be at most 200 characters."), code="too_long"
        )
    if not perms.can_open_thread(actor, unit):
        raise NotAllowed(_("Only members of this unit can open a thread here."))
    return create_thread(title=title, unit=unit, actor=actor, kind=ThreadKind.UNIT)


@transaction.atomic
def append_thread_event(
    *, thread: Thread | int, type: str, object_id="", data: dict
) -> ThreadEvent:
    """Store the event with the next seq (the row update serialises writers) and
    publish it after commit. Returns the stored event."""
    thread_id = thread if isinstance(thread, int) else thread.pk
    Thread.objects.filter(pk=thread_id).update(last_seq=F("last_seq") + 1)
    seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).get()
    event = ThreadEvent.objects.create(
        thread_id=thread_id,
        seq=seq,
        type=type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data, default=str)),
    )
    publish_on_commit(thread_group(thread_id), event.as_message())
    return event


# --- rendering helpers -------------------------------------------------------------


def mentioned_members(body: str) -> list[Member]:
    names = {m.group(1).rstrip(".") for m in MENTION_RE.finditer(body or "")}
    if not names:
        return []
    return list(
        Member.objects.filter(username__in=names, is_active=True).order_by("pk")
    )


def render_comment(body: str, mentioned: list[Member]) -> str:
    """Sanitised Markdown; mentions of real members are marked (names are escaped)."""
    html = render_markdown(body)
    names = {m.username for m in mentioned}
    if not names:
        return html

    def mark(match):
        name = match.group(1).rstrip(".")
        if name not in names:
            return match.group(0)
        rest = match.group(1)[len(name) :]
        return f'<strong class="mention">@{escape(name)}</strong>{escape(rest)}'

    # Only touch text outside tags: split on tags, mark in the text parts.
    parts = re.split(r"(<[^>]+>)", html)
    inside_link = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            if part.startswith("<a "):
                inside_link = True
            elif part == "</a>":
                inside_link = False
            continue
        if not inside_link:
            parts[i] = MENTION_RE.sub(mark, part)
    return "".join(parts)


def author_payload(member) -> dict:
    return {"id": member.pk, "username": member.username, "name": member.display_name}


def comment_event_data(comment: Comment) -> dict:
    """What every watcher may see of a comment (hidden/deleted text never leaves)."""
    visible = not comment.hidden and comment.deleted is None
    return {
        "id": comment.pk,
        "thread": comment.thread_id,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": author_payload(comment.author),
        "stance": comment.stance,
        "body_html": comment.body_html if visible else "",
        "created": comment.created.isoformat(),
        "edited": comment.edited.isoformat() if comment.edited else None,
        "deleted": comment.deleted is not None,
        "hidden": comment.hidden,
        "reactions": comment.reaction_counts or {},
    }


def _validate_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(
            _("Write something first: the comment is empty."), code="empty"
        )
    limit = comment_max_length()
    if len(body) > limit:
        raise ServiceError(
            _("A comment can be at most %(limit)d characters (this one has %(n)d).")
            % {"limit": limit, "n": len(body)},
            code="too_long",
        )
    return body


def _validate_stance(stance: str | None) -> str:
    stance = stance or Stance.NEUTRAL
    if stance not in Stance.values:
        raise ServiceError(
            _("Stance must be one of: for, against, question, neutral."),
            code="bad_stance",
        )
    return stance


def _validate_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise ServiceError(
            _("The reason can be at most %d characters.") % REASON_MAX, code="too_long"
        )
    return reason


def comment_rate() -> tuple[int, int]:
    """(comments, seconds) from COMMENT_RATE (an int, or "10/min" style) and
    COMMENT_RATE_WINDOW."""
    rate = getattr(settings, "COMMENT_RATE", 10)
    window = int(getattr(settings, "COMMENT_RATE_WINDOW", 60))
    if isinstance(rate, str) and "/" in rate:
        number, unit = rate.split("/", 1)
        window = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(
            unit.strip()[:1].lower(), 60
        )
        rate = number
    return int(rate), window


def check_comment_rate(member) -> None:
    """At most COMMENT_RATE comments per member per COMMENT_RATE_WINDOW seconds,
    counted in the cache (Redis in production, so all processes share it)."""
    limit, window = comment_rate()
    now = time.time()
    key = f"comment-rate:{member.pk}:{int(now // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    if count > limit:
        wait = int(window - now % window) + 1
        raise RateLimited(
            _(
                "You are posting too fast: at most %(limit)d comments per %(window)d "
                "seconds. Try again in %(wait)d seconds."
            )
            % {"limit": limit, "window": window, "wait": wait},
            wait=wait,
        )


# --- comments ------------------------------------------------------------------------


def post_comment(
    *,
    thread: Thread,
    author,
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
        parent = Comment.objects.filter(pk=parent).first()
        if parent is None:
            raise ServiceError(
                _("The comment you reply to does not exist."), code="bad_parent"
            )
    if parent is not None and parent.thread_id != thread.pk:
        raise ServiceError(
            _("You can only reply to a comment in the same thread."), code="bad_parent"
        )
    if enforce_rate:
        check_comment_rate(author)
    mentioned = mentioned_members(body)
    with transaction.atomic():
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
        Mention.objects.bulk_create(
            [
                Mention(comment=comment, member=m)
                for m in mentioned
                if m.pk != author.pk
            ],
            ignore_conflicts=True,
        )
        event = append_thread_event(
            thread=thread,
            type="comment.created",
            object_id=comment.pk,
            data=comment_event_data(comment),
        )
        comment.seq = event.seq
        Comment.objects.filter(pk=comment.pk).update(seq=event.seq)
        Thread.objects.filter(pk=thread.pk).update(
            comment_count=F("comment_count") + 1, last_activity=comment.created
        )
    return comment


def _locked(comment: Comment | int) -> Comment:
    pk = comment if isinstance(comment, int) else comment.pk
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("thread", "thread__unit", "author")
        .get(pk=pk)
    )


@transaction.atomic
def edit_comment(
    *, comment: Comment, actor, body: str, stance: str | None = None
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
    Mention.objects.bulk_create(
        [Mention(comment=comment, member=m) for m in mentioned if m.pk != actor.pk],
        ignore_conflicts=True,
    )
    append_thread_event(
        thread=comment.thread_id,
        type="comment.edited",
        object_id=comment.pk,
        data=comment_event_data(comment),
    )
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, actor) -> Comment:
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
    append_thread_event(
        thread=comment.thread_id,
        type="comment.deleted",
        object_id=comment.pk,
        data=comment_event_data(comment),
    )
    return comment


# --- reactions -----------------------------------------------------------------------


def _validate_reaction(comment: Comment, member, kind: str) -> None:
    if kind not in ReactionKind.values:
        raise ServiceError(
            _("Reaction must be one of: %s.") % ", ".join(ReactionKind.values),
            code="bad_kind",
        )
    if not perms.can_post_in_thread(member, comment.thread):
        raise NotAllowed(
            _("Only members of %(unit)s can react here.")
            % {"unit": comment.thread.unit.name}
        )
    if comment.deleted is not None or comment.hidden:
        raise Conflict(
            _("You cannot react to a deleted or hidden comment."), code="unavailable"
        )


def _recount(comment: Comment) -> None:
    counts = dict(
        Reaction.objects.filter(comment=comment)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    comment.reaction_counts = {
        k: counts[k] for k in ReactionKind.values if counts.get(k)
    }
    comment.reaction_total = sum(counts.values())
    comment.save(update_fields=["reaction_counts", "reaction_total"])
    append_thread_event(
        thread=comment.thread_id,
        type="reaction.changed",
        object_id=comment.pk,
        data={
            "id": comment.pk,
            "reactions": comment.reaction_counts,
            "total": comment.reaction_total,
        },
    )


@transaction.atomic
def add_reaction(*, comment: Comment, member, kind: str) -> tuple[Comment, bool]:
    """Set a reaction; setting it twice changes nothing (returns created=False)."""
    comment = _locked(comment)
    _validate_reaction(comment, member, kind)
    try:
        with transaction.atomic():
            Reaction.objects.create(comment=comment, member=member, kind=kind)
    except IntegrityError:
        return comment, False
    _recount(comment)
    return comment, True


@transaction.atomic
def remove_reaction(*, comment: Comment, member, kind: str) -> tuple[Comment, bool]:
    comment = _locked(comment)
    if kind not in ReactionKind.values:
        raise ServiceError(
            _("Reaction must be one of: %s.") % ", ".join(ReactionKind.values),
            code="bad_kind",
        )
    deleted, _n = Reaction.objects.filter(
        comment=comment, member=member, kind=kind
    ).delete()
    if deleted:
        _recount(comment)
    return comment, bool(deleted)


def toggle_reaction(*, comment: Comment, member, kind: str) -> Comment:
    if Reaction.objects.filter(comment=comment, member=member, kind=kind).exists():
        return remove_reaction(comment=comment, member=member, kind=kind)[0]
    return add_reaction(comment=comment, member=member, kind=kind)[0]


# --- flags and moderation ------------------------------------------------------------


def flag_comment(*, comment: Comment, member, reason: str) -> Flag:
    reason = _validate_reason(reason)
    comment = Comment.objects.select_related("thread", "thread__unit").get(
        pk=comment.pk
    )
    if not perms.can_post_in_thread(member, comment.thread):
        raise NotAllowed(
            _("Only members of %(unit)s can flag comments here.")
            % {"unit": comment.thread.unit.name}
        )
    if comment.author_id == member.pk:
        raise ServiceError(_("You cannot flag your own comment."), code="own_comment")
    if comment.deleted is not None:
        raise Conflict(_("This comment was deleted."), code="deleted")
    try:
        with transaction.atomic():
            return Flag.objects.create(comment=comment, member=member, reason=reason)
    except IntegrityError:
        raise Conflict(
            _("You have already flagged this comment."), code="already_flagged"
        ) from None


def _moderation(
    comment: Comment, moderator, kind: str, reason: str
) -> ModerationAction:
    action = ModerationAction.objects.create(
        comment=comment,
        thread=comment.thread,
        unit=comment.thread.unit,
        moderator=moderator,
        kind=kind,
        reason=reason,
    )
    record_audit(
        actor=moderator,
        action=f"comment.{kind}",
        unit=comment.thread.unit,
        target=comment,
        summary=_("%(kind)s comment #%(id)d in “%(thread)s”")
        % {
            "kind": ModerationKind(kind).label,
            "id": comment.pk,
            "thread": comment.thread.title,
        },
        reason=reason,
        data={"thread": comment.thread_id, "moderation_action": action.pk},
    )
    return action


@transaction.atomic
def hide_comment(*, comment: Comment, moderator, reason: str) -> ModerationAction:
    reason = _validate_reason(reason)
    comment = _locked(comment)
    if not perms.can_moderate(moderator, comment.thread):
        raise NotAllowed(_("Only moderators of this unit can hide comments."))
    if comment.hidden:
        raise Conflict(_("This comment is already hidden."), code="already_hidden")
    if comment.deleted is not None:
        raise Conflict(_("This comment was deleted by its author."), code="deleted")
    comment.hidden = True
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden", "hidden_reason"])
    action = _moderation(comment, moderator, ModerationKind.HIDE, reason)
    Flag.objects.filter(comment=comment, resolved__isnull=True).update(
        resolved=timezone.now()
    )
    data = comment_event_data(comment) | {"reason": reason}
    append_thread_event(
        thread=comment.thread_id, type="comment.hidden", object_id=comment.pk, data=data
    )
    return action


def _unhide(comment: Comment) -> None:
    comment.hidden = False
    comment.hidden_reason = ""
    comment.save(update_fields=["hidden", "hidden_reason"])
    append_thread_event(
        thread=comment.thread_id,
        type="comment.restored",
        object_id=comment.pk,
        data=comment_event_data(comment),
    )


@transaction.atomic
def restore_comment(*, comment: Comment, moderator, reason: str) -> ModerationAction:
    reason = _validate_reason(reason)
    comment = _locked(comment)
    if not perms.can_moderate(moderator, comment.thread):
        raise NotAllowed(_("Only moderators of this unit can restore comments."))
    if not comment.hidden:
        raise Conflict(_("This comment is not hidden."), code="not_hidden")
    action = _moderation(comment, moderator, ModerationKind.RESTORE, reason)
    Flag.objects.filter(comment=comment, resolved__isnull=True).update(
        resolved=timezone.now()
    )
    _unhide(comment)
    return action


@transaction.atomic
def appeal_hiding(*, comment: Comment, author, reason: str) -> Appeal:
    """The author appeals once; another moderator decides."""
    reason = _validate_reason(reason)
    comment = _locked(comment)
    if comment.author_id != getattr(author, "pk", None):
        raise NotAllowed(_("Only the author can appeal."))
    if not comment.hidden:
        raise Conflict(_("Only a hidden comment can be appealed."), code="not_hidden")
    action = (
        ModerationAction.objects.filter(comment=comment, kind=ModerationKind.HIDE)
        .order_by("-created", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                comment=comment,
                author=author,
                action=action,
                hidden_by_id=action.moderator_id,
                reason=reason,
            )
    except IntegrityError:
        raise Conflict(
            _(
                "You have already appealed for this comment; an appeal can be "
                "made once."
            ),
            code="already_appealed",
        ) from None


@transaction.atomic
def decide_appeal(*, appeal: Appeal, moderator, outcome: str, reason: str) -> Appeal:
    reason = _validate_reason(reason)
    if outcome not in AppealOutcome.values:
        raise ServiceError(
            _("Outcome must be “upheld” (stays hidden) or “granted” (restored)."),
            code="bad_outcome",
        )
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    comment = _locked(appeal.comment_id)
    if not perms.can_moderate(moderator, comment.thread):
        raise NotAllowed(_("Only moderators of this unit can decide appeals."))
    if appeal.hidden_by_id == moderator.pk:
        raise NotAllowed(
            _(
                "Another moderator than the one who hid the comment must "
                "decide the appeal."
            )
        )
    if appeal.decided is not None:
        raise Conflict(_("This appeal is already decided."), code="already_decided")
    appeal.decided_by = moderator
    appeal.decided = timezone.now()
    appeal.outcome = outcome
    appeal.decision_reason = reason
    appeal.save(update_fields=["decided_by", "decided", "outcome", "decision_reason"])
    if outcome == AppealOutcome.GRANTED:
        _moderation(comment, moderator, ModerationKind.APPEAL_GRANTED, reason)
        if comment.hidden:
            _unhide(comment)
    else:
        _moderation(comment, moderator, ModerationKind.APPEAL_UPHELD, reason)
    return appeal


# --- live sessions -------------------------------------------------------------------


def schedule_live_session(
    *,
    unit,
    facilitator,
    title: str,
    starts: datetime,
    ends: datetime,
    agenda: str = "",
    thread: Thread | None = None,
) -> LiveSession:
    title = (title or "").strip()[:200]
    if not title:
        raise ServiceError(_("A session needs a title."), code="title_required")
    if not perms.can_run_live_session(facilitator, unit):
        raise NotAllowed(
            _("Only a facilitator of %(unit)s can schedule a session.")
            % {"unit": unit.name}
        )
    if starts is None or ends is None or ends <= starts:
        raise ServiceError(_("The session must end after it starts."), code="bad_times")
    if ends < timezone.now():
        raise ServiceError(_("The session would already be over."), code="bad_times")
    if thread is not None and thread.unit_id != unit.pk:
        raise ServiceError(_("The thread belongs to another unit."), code="bad_thread")
    with transaction.atomic():
        if thread is None:
            thread = create_thread(title=title, unit=unit, actor=facilitator)
        session = LiveSession.objects.create(
            thread=thread,
            unit=unit,
            facilitator=facilitator,
            title=title,
            agenda=(agenda or "")[:5000],
            starts=starts,
            ends=ends,
        )
        record_audit(
            actor=facilitator,
            action="live_session.schedule",
            unit=unit,
            target=session,
            summary=_("Scheduled the live session “%s”") % title,
            data={
                "thread": thread.pk,
                "starts": starts.isoformat(),
                "ends": ends.isoformat(),
            },
        )
        append_thread_event(
            thread=thread,
            type="session.scheduled",
            object_id=session.pk,
            data=session_event_data(session),
        )
    return session


@transaction.atomic
def close_live_session(*, session: LiveSession, actor, minutes: str) -> LiveSession:
    minutes = (minutes or "").strip()
    if not minutes:
        raise ServiceError(
            _("Write the minutes before closing the session."), code="minutes_required"
        )
    if len(minutes) > 20_000:
        raise ServiceError(
            _("The minutes can be at most 20,000 characters."), code="too_long"
        )
    session = (
        LiveSession.objects.select_for_update()
        .select_related("unit")
        .get(pk=session.pk)
    )
    if not perms.can_run_live_session(actor, session.unit):
        raise NotAllowed(
            _("Only a facilitator of %(unit)s can close the session.")
            % {"unit": session.unit.name}
        )
    if session.closed is not None:
        raise Conflict(_("This session is already closed."), code="already_closed")
    session.closed = timezone.now()
    session.closed_by = actor
    session.minutes = minutes
    session.save(update_fields=["closed", "closed_by", "minutes"])
    record_audit(
        actor=actor,
        action="live_session.close",
        unit=session.unit,
        target=session,
        summary=_("Closed the live session “%s” with minutes") % session.title,
    )
    append_thread_event(
        thread=session.thread_id,
        type="session.closed",
        object_id=session.pk,
        data=session_event_data(session),
    )
    return session


def announce_started_sessions(*, now: datetime | None = None) -> int:
    """Push `session.started` to the thread of every session that has begun (beat, every
    30 s). Each session is announced once — a conditional update claims it, so two beat
    processes or a re-run never announce twice; a session missed during downtime is
    announced late if it still runs, never after it has ended."""
    now = now or timezone.now()
    due = LiveSession.objects.filter(
        closed__isnull=True, start_announced__isnull=True, starts__lte=now, ends__gt=now
    )
    announced = 0
    for session in due.select_related("thread"):
        with transaction.atomic():
            claimed = LiveSession.objects.filter(
                pk=session.pk, start_announced__isnull=True
            ).update(start_announced=now)
            if claimed:
                append_thread_event(
                    thread=session.thread_id,
                    type="session.started",
                    object_id=session.pk,
                    data=session_event_data(session),
                )
                announced += 1
    return announced


def session_event_data(session: LiveSession) -> dict:
    return {
        "id": session.pk,
        "thread": session.thread_id,
        "title": session.title,
        "starts": session.starts.isoformat(),
        "ends": session.ends.isoformat(),
        "closed": session.closed.isoformat() if session.closed else None,
        "minutes_html": render_markdown(session.minutes) if session.minutes else "",
    }
