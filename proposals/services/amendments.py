"""Writes for amendments: a member suggests replacing a passage of a proposal; members
support it; the authors accept it (a new revision) or, with enough support, it goes to
the vote beside the proposal at the freeze (`schedule._settle_amendments`). Locks: the
proposal row first, then the amendment (`locks.py`)."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.discussions.models import ThreadKind
from deliberation.discussions.services import create_thread
from deliberation.errors import Conflict, NotAllowed
from deliberation.markdown import render_markdown
from deliberation.members.models import Member

from .. import permissions
from ..models import (
    SUPPORTABLE_STATES,
    Amendment,
    AmendmentState,
    AmendmentSupport,
    Proposal,
    ProposalKind,
)
from ..search import refresh_search_vector
from ..selectors import policy_for_unit
from ._common import (
    BODY_MAX,
    _require_author,
    _write_revision,
    clean_text,
    count_support,
    record_proposal_event,
    uncount_support,
)
from .locks import lock_amendment, lock_proposal


def _target_text(proposal: Proposal, target: str, clause: int | None) -> str:
    if target == Amendment.Target.TITLE:
        return proposal.title
    if target == Amendment.Target.BODY:
        return proposal.body
    clauses = proposal.effective_clauses
    if clause is None or not 1 <= clause <= len(clauses):
        raise ValidationError(
            {
                "clause": [
                    _("Choose a clause between 1 and %(n)d.") % {"n": len(clauses)}
                ]
            }
        )
    return clauses[clause - 1]


@transaction.atomic
def create_amendment(
    *,
    proposal: Proposal,
    actor: Member,
    replacement: str,
    original: str = "",
    rationale: str = "",
    target: str = Amendment.Target.BODY,
    clause: int | None = None,
) -> Amendment:
    """Suggest replacing `original` (a passage of the current text; by default the whole
    title, rationale or clause) by `replacement`."""
    proposal = lock_proposal(proposal)
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _(
                "Amendments can be suggested while a proposal gathers support "
                "or is in discussion."
            )
        )
    if not permissions.can_take_part(actor, proposal):
        raise NotAllowed(
            _("Only members of %(unit)s can suggest amendments here.")
            % {"unit": proposal.unit.name}
        )
    if target not in Amendment.Target.values:
        raise ValidationError({"target": [_("Unknown target.")]})
    if target == Amendment.Target.CLAUSE and proposal.kind == ProposalKind.RULES:
        raise Conflict(
            _(
                "The clauses of a rule proposal are rule changes: write another rule "
                "proposal to suggest a different value (docs/flat.md)."
            )
        )
    original = (original or "").strip()
    replacement = (replacement or "").strip()
    rationale = (rationale or "").strip()
    if not original:  # no passage quoted: the amendment rewrites the whole part
        original = _target_text(proposal, target, clause)
    errors = {}
    if not original:
        errors["original"] = [_("Quote the passage you want to change.")]
    elif len(original) > BODY_MAX:
        errors["original"] = [_("The passage is too long.")]
    if len(replacement) > BODY_MAX:
        errors["replacement"] = [_("The replacement is too long.")]
    if len(rationale) > 5000:
        errors["rationale"] = [_("The rationale can have at most 5000 characters.")]
    if original and original == replacement:
        errors["replacement"] = [_("The replacement is the same as the passage.")]
    if errors:
        raise ValidationError(errors)
    if original not in _target_text(proposal, target, clause):
        raise ValidationError(
            {
                "original": [
                    _("This passage is not in the current text of the proposal.")
                ]
            }
        )
    policy = proposal.policy or policy_for_unit(proposal.unit)
    thread = create_thread(
        title=_("Amendment to: %(title)s") % {"title": proposal.title},
        unit=proposal.unit,
        actor=actor,
        kind=ThreadKind.AMENDMENT,
    )
    amendment = Amendment.objects.create(
        proposal=proposal,
        author=actor,
        target=target,
        clause=clause if target == Amendment.Target.CLAUSE else None,
        original=original,
        replacement=replacement,
        rationale=rationale,
        rationale_html=render_markdown(rationale),
        revision=proposal.revision,
        support_needed=policy.needed(
            proposal.eligible_count or 1, policy.amendment_quorum
        ),
        thread=thread,
    )
    record_proposal_event(proposal, "amendment.created", {"amendment": amendment.pk})
    return amendment


@transaction.atomic
def support_amendment(*, amendment: Amendment | int, member: Member) -> Amendment:
    proposal, amendment = lock_amendment(amendment)
    if (
        amendment.state != AmendmentState.OPEN
        or proposal.state not in SUPPORTABLE_STATES
    ):
        raise Conflict(_("This amendment no longer takes support."), code="closed")
    if not permissions.can_take_part(member, proposal):
        raise NotAllowed(
            _("Only members of %(unit)s can support this amendment.")
            % {"unit": proposal.unit.name}
        )
    count_support(
        row=amendment,
        support=AmendmentSupport(amendment=amendment, member=member),
        already=_("You already support this amendment."),
    )
    record_proposal_event(
        proposal,
        "amendment.support_changed",
        {"amendment": amendment.pk, "support_count": amendment.support_count},
    )
    return amendment


@transaction.atomic
def withdraw_amendment_support(
    *, amendment: Amendment | int, member: Member
) -> Amendment:
    proposal, amendment = lock_amendment(amendment)
    if (
        amendment.state != AmendmentState.OPEN
        or proposal.state not in SUPPORTABLE_STATES
    ):
        raise Conflict(_("This amendment no longer takes support."), code="closed")
    uncount_support(
        row=amendment,
        supports=AmendmentSupport.objects.filter(amendment=amendment, member=member),
        missing=_("You do not support this amendment."),
    )
    record_proposal_event(
        proposal,
        "amendment.support_changed",
        {"amendment": amendment.pk, "support_count": amendment.support_count},
    )
    return amendment


@transaction.atomic
def accept_amendment(*, amendment: Amendment | int, actor: Member) -> Proposal:
    """The authors take the amendment in: its replacement becomes a new revision."""
    proposal, amendment = lock_amendment(amendment)
    _require_author(actor, proposal)
    if amendment.state != AmendmentState.OPEN:
        raise Conflict(_("This amendment has already been settled."))
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("This proposal is %(state)s and can no longer be edited.")
            % {"state": proposal.get_state_display().lower()}
        )
    text = _target_text(proposal, amendment.target, amendment.clause)
    if amendment.original not in text:
        raise Conflict(
            _(
                "The passage has changed since the amendment was written; "
                "it cannot be applied as it is."
            ),
            code="stale",
        )
    new_text = text.replace(amendment.original, amendment.replacement, 1)
    if amendment.target == Amendment.Target.TITLE:
        proposal.title = new_text
    elif amendment.target == Amendment.Target.BODY:
        proposal.body = new_text
        proposal.body_html = render_markdown(new_text)
    else:
        clauses = proposal.effective_clauses
        clauses[cast(int, amendment.clause) - 1] = new_text  # _target_text checked it
        proposal.clauses = clauses
    clean_text(title=proposal.title, body=proposal.body, clauses=proposal.clauses)
    proposal.revision += 1
    proposal.save(
        update_fields=["title", "body", "body_html", "clauses", "revision", "updated"]
    )
    _write_revision(
        proposal,
        actor=actor,
        amendment=amendment,
        note_code="amendment",
    )
    refresh_search_vector(Proposal.objects.filter(pk=proposal.pk))
    amendment.state = AmendmentState.ACCEPTED
    amendment.decided_at = timezone.now()
    amendment.decided_by = actor
    amendment.save(update_fields=["state", "decided_at", "decided_by"])
    record_proposal_event(
        proposal,
        "proposal.revised",
        {"revision": proposal.revision, "amendment": amendment.pk},
    )
    return proposal


@transaction.atomic
def withdraw_amendment(*, amendment: Amendment | int, actor: Member) -> Amendment:
    proposal, amendment = lock_amendment(amendment)
    if amendment.author_id != actor.pk:
        raise NotAllowed(_("Only the amendment's author can withdraw it."))
    if amendment.state != AmendmentState.OPEN:
        raise Conflict(_("This amendment has already been settled."))
    amendment.state = AmendmentState.WITHDRAWN
    amendment.decided_at = timezone.now()
    amendment.decided_by = actor
    amendment.save(update_fields=["state", "decided_at", "decided_by"])
    return amendment
