"""Bodies must answer: the units an item names (its proposal's unit and the national
level) publish a response per decision clause — support, reject or amend — by the
congress's deadline. Past it unanswered, the item shows "answer overdue" and the
proposal's followers are told, once (`mark_overdue_answers`, from the sweep)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member, Unit

from .. import notify, permissions
from ..models import (
    AnswerRequest,
    Congress,
    CongressItem,
    ItemClause,
    ItemResponse,
    Position,
)
from ._common import clean_optional, lock_congress, lock_item, push_item_event


@transaction.atomic
def publish_response(
    *,
    actor: Member,
    congress: Congress | int,
    item: CongressItem | int,
    unit: Unit,
    clause: int,
    position: str,
    text: str = "",
) -> ItemResponse:
    congress = lock_congress(congress)
    item = lock_item(congress, item)
    role = permissions.answering_role(actor, unit)
    if role is None:
        raise NotAllowed(
            _("Only the role holders of %(unit)s answer for it.") % {"unit": unit.name}
        )
    errors: dict[str, list[str]] = {}
    the_clause = ItemClause.objects.filter(pk=clause, item=item).first()
    if the_clause is None:
        errors["clause"] = [_("This item has no such clause.")]
    if position not in Position.values:
        errors["position"] = [_("Use support, reject or amend.")]
    text = clean_optional(text, "text")
    if position == Position.AMEND and not text:
        errors["text"] = [_("Say how the clause should be amended.")]
    if errors or the_clause is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = ItemResponse.objects.create(
                item=item,
                clause=the_clause,
                unit=unit,
                author=actor,
                role=role,
                position=position,
                text=text,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(unit)s has already answered this clause.") % {"unit": unit.name},
            code="already_answered",
        ) from exc
    answered = ItemResponse.objects.filter(item=item, unit=unit).count()
    if answered >= item.clauses.count():
        AnswerRequest.objects.filter(
            item=item, unit=unit, answered_at__isnull=True
        ).update(answered_at=timezone.now())
    record_audit(
        actor=actor,
        action="congress.response",
        summary=_("%(unit)s answered clause %(n)d of “%(title)s”: %(position)s")
        % {
            "unit": unit.name,
            "n": the_clause.number,
            "title": item.proposal.title,
            "position": position,
        },
        reason=text,
        unit=unit,
        target=response,
    )
    push_item_event(
        item,
        "congress.response",
        {"clause": the_clause.pk, "unit": unit.pk, "position": position},
    )
    return response


def mark_overdue_answers(*, now: datetime | None = None) -> int:
    """Mark each request past its deadline without an answer, once, and tell the
    proposal's followers. Safe twice: the update only takes unmarked rows."""
    now = now or timezone.now()
    marked = 0
    due = list(
        AnswerRequest.objects.filter(
            answered_at__isnull=True, overdue_at__isnull=True, due__lt=now
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        with transaction.atomic():
            if not AnswerRequest.objects.filter(pk=pk, overdue_at__isnull=True).update(
                overdue_at=now
            ):
                continue
            request = AnswerRequest.objects.select_related(
                "unit", "item", "item__proposal"
            ).get(pk=pk)
            push_item_event(
                request.item,
                "congress.answer_overdue",
                {"unit": request.unit_id, "due": request.due.isoformat()},
            )
            notify.answer_overdue(request=request)
            marked += 1
    return marked
