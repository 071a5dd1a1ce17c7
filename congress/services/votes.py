"""Delegates' reviews and roll-call votes, and the congress's decision on an item.
Every vote is public (and in the audit log); the decision is pushed live on the
proposal's thread and notified to its followers and authors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member

from .. import notify, permissions
from ..models import (
    VOTES,
    Congress,
    CongressItem,
    CongressState,
    Decision,
    Delegate,
    DelegateVote,
    ItemClause,
    Review,
)
from ._common import clean_optional, lock_congress, lock_item, push_item_event


def _require_delegate(actor: Member, congress: Congress) -> Delegate:
    delegate = permissions.delegate_of(actor, congress)
    if delegate is None:
        raise NotAllowed(_("Only the delegates of this congress may do this."))
    return delegate


@transaction.atomic
def review_item(
    *,
    actor: Member,
    congress: Congress | int,
    item: CongressItem | int,
    recommendation: str = "",
) -> Review:
    """Mark the item reviewed with a recommendation (again: the new text replaces
    the old one)."""
    congress = lock_congress(congress)
    delegate = _require_delegate(actor, congress)
    item = lock_item(congress, item)
    if congress.state == CongressState.CLOSED:
        raise Conflict(_("The congress is closed."), code="closed")
    recommendation = clean_optional(recommendation, "recommendation")
    review, _created = Review.objects.update_or_create(
        item=item,
        delegate=delegate,
        defaults={"recommendation": recommendation, "reviewed_at": timezone.now()},
    )
    return review


def roll_call_counts(item: CongressItem) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for row in (
        DelegateVote.objects.filter(clause__item=item)
        .values("clause_id", "vote")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["clause_id"], dict.fromkeys(VOTES, 0))[row["vote"]] = row[
            "n"
        ]
    return counts


@transaction.atomic
def cast_delegate_vote(
    *,
    actor: Member,
    congress: Congress | int,
    item: CongressItem | int,
    clause: int,
    vote: str,
    explanation: str = "",
) -> DelegateVote:
    congress = lock_congress(congress)
    delegate = _require_delegate(actor, congress)
    item = lock_item(congress, item)
    errors: dict[str, list[str]] = {}
    the_clause = ItemClause.objects.filter(pk=clause, item=item).first()
    if the_clause is None:
        errors["clause"] = [_("This item has no such clause.")]
    if vote not in VOTES:
        errors["vote"] = [_("Vote yes, no or abstain.")]
    explanation = clean_optional(explanation, "explanation")
    if errors or the_clause is None:
        raise ValidationError(errors)
    state = congress.state
    if state == CongressState.CLOSED:
        raise Conflict(_("The congress is closed: no more votes."), code="closed")
    if state == CongressState.PREPARING:
        raise Conflict(
            _("Delegates vote when the congress is in session."), code="not_in_session"
        )
    if item.decided_at is not None:
        raise Conflict(_("The congress has decided this item."), code="decided")
    try:
        with transaction.atomic():
            cast = DelegateVote.objects.create(
                clause=the_clause,
                delegate=delegate,
                vote=vote,
                explanation=explanation,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have already voted on this clause."), code="already_voted"
        ) from exc
    record_audit(
        actor=actor,
        action="congress.delegate_vote",
        summary=_("Delegate %(member)s voted %(vote)s on clause %(n)d of “%(title)s”")
        % {
            "member": actor.display_name,
            "vote": vote,
            "n": the_clause.number,
            "title": item.proposal.title,
        },
        reason=explanation,
        unit=delegate.unit,
        target=cast,
    )
    push_item_event(
        item,
        "congress.delegate_voted",
        {
            "clause": the_clause.pk,
            "delegate": delegate.pk,
            "vote": vote,
            "counts": roll_call_counts(item).get(the_clause.pk, {}),
        },
    )
    return cast


def _clause_decision(counts: dict[str, int], decision: str) -> str:
    if decision == Decision.REFERRED:
        return Decision.REFERRED
    return (
        Decision.ADOPTED
        if counts.get("yes", 0) > counts.get("no", 0)
        else (Decision.REJECTED)
    )


@transaction.atomic
def record_decision(
    *,
    actor: Member,
    congress: Congress | int,
    item: CongressItem | int,
    decision: str,
    clauses: dict[int, str] | None = None,
    note: str = "",
) -> CongressItem:
    """The congress's decision on the item, and on each clause (by default the
    roll call's majority, or `referred` with the item)."""
    if not permissions.can_manage_congress(actor):
        raise NotAllowed(_("Only administrators of the national level may do this."))
    congress = lock_congress(congress)
    item = lock_item(congress, item)
    if decision not in Decision.values:
        raise ValidationError(
            {"decision": [_("Use adopted, rejected, amended or referred.")]}
        )
    note = clean_optional(note, "note")
    if congress.state == CongressState.PREPARING:
        raise Conflict(
            _("The congress decides when it is in session."), code="not_in_session"
        )
    if item.decided_at is not None:
        raise Conflict(_("This item is decided already."), code="decided")
    rows = list(item.clauses.order_by("number"))
    given = clauses or {}
    unknown = set(given) - {c.pk for c in rows}
    if unknown or any(v not in Decision.values for v in given.values()):
        raise ValidationError(
            {
                "clauses": [
                    _(
                        "Each clause decision needs a clause of this item "
                        "and a decision."
                    )
                ]
            }
        )
    counts = roll_call_counts(item)
    for row in rows:
        row.decision = given.get(row.pk) or _clause_decision(
            counts.get(row.pk, {}), decision
        )
    ItemClause.objects.bulk_update(rows, ["decision"])
    item.decision = decision
    item.decision_note = note
    item.decided_at = timezone.now()
    item.save(update_fields=["decision", "decision_note", "decided_at"])
    label = str(Decision(decision).label)
    record_audit(
        actor=actor,
        action="congress.decision",
        summary=_("%(congress)s: “%(title)s” — %(decision)s")
        % {"congress": congress.name, "title": item.proposal.title, "decision": label},
        reason=note,
        unit=permissions.national_unit(),
        target=item,
        data={"decision": decision, "clauses": {str(r.pk): r.decision for r in rows}},
    )
    push_item_event(
        item,
        "congress.decision",
        {
            "decision": decision,
            "clauses": [{"id": r.pk, "decision": r.decision} for r in rows],
            "at": item.decided_at.isoformat(),
        },
    )
    notify.decision_recorded(item=item, actor=actor)
    return item
