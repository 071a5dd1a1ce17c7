"""Moderation in the open: members flag, moderators hide or restore with a public
reason, the author appeals once and another moderator decides. Every use of the
role is recorded as a `ModerationAction` and in the audit log."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.members.models import Member

from .. import permissions as perms
from ..models import (
    Appeal,
    AppealOutcome,
    Comment,
    Flag,
    ModerationAction,
    ModerationKind,
)
from ..notifying import moderation_decided
from ..subjects import public_title
from ._common import _locked, _validate_reason
from .rendering import comment_event_data
from .threads import append_thread_event


def flag_comment(*, comment: Comment, member: Member, reason: str) -> Flag:
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


def record_moderation(
    comment: Comment, moderator: Member, kind: str, reason: str
) -> ModerationAction:
    """Record one use of the moderator role: a public `ModerationAction` and its
    audit entry (the public moderation log shows both)."""
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
            "thread": public_title(comment.thread),
        },
        reason=reason,
        data={"thread": comment.thread_id, "moderation_action": action.pk},
    )
    moderation_decided(
        comment, decision=kind, reason=reason, key=f"moderation:{action.pk}"
    )
    return action


@transaction.atomic
def hide_comment(
    *, comment: Comment, moderator: Member, reason: str
) -> ModerationAction:
    reason = _validate_reason(reason)
    comment = _locked(comment)
    if not perms.can_moderate(moderator, comment.thread):
        raise NotAllowed(_("Only moderators of this unit can hide comments."))
    if comment.author_id == moderator.pk:
        raise NotAllowed(_("Moderators do not decide about their own comments."))
    if comment.hidden:
        raise Conflict(_("This comment is already hidden."), code="already_hidden")
    if comment.deleted is not None:
        raise Conflict(_("This comment was deleted by its author."), code="deleted")
    comment.hidden = True
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden", "hidden_reason"])
    action = record_moderation(comment, moderator, ModerationKind.HIDE, reason)
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
def restore_comment(
    *, comment: Comment, moderator: Member, reason: str
) -> ModerationAction:
    reason = _validate_reason(reason)
    comment = _locked(comment)
    if not perms.can_moderate(moderator, comment.thread):
        raise NotAllowed(_("Only moderators of this unit can restore comments."))
    if comment.author_id == moderator.pk:
        raise NotAllowed(_("Moderators do not decide about their own comments."))
    if not comment.hidden:
        raise Conflict(_("This comment is not hidden."), code="not_hidden")
    action = record_moderation(comment, moderator, ModerationKind.RESTORE, reason)
    Flag.objects.filter(comment=comment, resolved__isnull=True).update(
        resolved=timezone.now()
    )
    _unhide(comment)
    return action


@transaction.atomic
def appeal_hiding(*, comment: Comment, author: Member, reason: str) -> Appeal:
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
    if action is None:  # hidden outside the services: no moderator to appeal against
        raise Conflict(
            _("No moderator's decision is on record for this comment to appeal."),
            code="no_moderation_record",
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
def decide_appeal(
    *, appeal: Appeal, moderator: Member, outcome: str, reason: str
) -> Appeal:
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
    if comment.author_id == moderator.pk:
        raise NotAllowed(_("Moderators do not decide about their own comments."))
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
        record_moderation(comment, moderator, ModerationKind.APPEAL_GRANTED, reason)
        if comment.hidden:
            _unhide(comment)
    else:
        record_moderation(comment, moderator, ModerationKind.APPEAL_UPHELD, reason)
    return appeal
