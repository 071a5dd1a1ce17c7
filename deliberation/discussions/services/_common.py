"""Validation and locking shared by the discussion services."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from deliberation.errors import ServiceError

from ..models import Comment, Stance
from ..subjects import related_fields

REASON_MAX = 1000


def comment_max_length() -> int:
    return int(getattr(settings, "COMMENT_MAX_LENGTH", 10_000))


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


def _locked(comment: Comment | int) -> Comment:
    """The comment's row lock, with its thread and the thread's subject (so the read
    rule asked next costs no query)."""
    pk = comment if isinstance(comment, int) else comment.pk
    subject = [f"thread__{name}" for name in related_fields()]
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("thread", "thread__unit", "author", *subject)
        .get(pk=pk)
    )
