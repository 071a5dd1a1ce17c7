"""After congress: each adopted item's implementation status, with dated updates
members follow (the proposal's followers) and discuss (the item's thread)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member

from .. import permissions
from ..models import Congress, CongressItem, Decision, FollowUpStatus, FollowUpUpdate
from ._common import clean_optional, lock_congress, lock_item, push_item_event


@transaction.atomic
def post_followup(
    *,
    actor: Member,
    congress: Congress | int,
    item: CongressItem | int,
    status: str,
    text: str,
) -> FollowUpUpdate:
    congress = lock_congress(congress)
    item = lock_item(congress, item)
    if not permissions.can_post_followup(actor, item):
        raise NotAllowed(
            _("Administrators and the proposal's authors report on its follow-up.")
        )
    errors: dict[str, list[str]] = {}
    if status not in FollowUpStatus.values:
        errors["status"] = [_("Use not_started, in_progress, done or abandoned.")]
    text = clean_optional(text, "text")
    if not text:
        errors["text"] = [_("Say what happened.")]
    if errors:
        raise ValidationError(errors)
    if item.decision not in (Decision.ADOPTED, Decision.AMENDED):
        raise Conflict(
            _("Only an item the congress adopted has a follow-up."), code="not_adopted"
        )
    update = FollowUpUpdate.objects.create(
        item=item, status=status, text=text, author=actor
    )
    item.followup_status = status
    item.save(update_fields=["followup_status"])
    record_audit(
        actor=actor,
        action="congress.followup",
        summary=_("Follow-up of “%(title)s”: %(status)s")
        % {"title": item.proposal.title, "status": str(FollowUpStatus(status).label)},
        reason=text,
        unit=permissions.national_unit(),
        target=item,
    )
    push_item_event(item, "congress.followup", {"status": status, "update": update.pk})
    return update
