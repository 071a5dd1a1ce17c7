"""Shared by the proposal services: text validation, the state transition with
its durable live event, revisions, authorship checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.discussions.services import append_thread_event
from deliberation.errors import Conflict, NotAllowed
from deliberation.members.models import Member
from deliberation.notifications.models import Follow, FollowTarget

from .. import hooks, notifying, permissions
from ..models import Amendment, Proposal, Revision, State, StateChange

TITLE_MIN, TITLE_MAX = 5, 200


BODY_MAX = 20_000


CLAUSE_MAX, CLAUSES_MAX = 1_000, 30


COAUTHORS_MAX = 10


def clean_text(
    *, title: str, body: str, clauses: list[str] | None
) -> tuple[str, str, list]:
    """Strip and check lengths; raise ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if clauses is None:
        clauses = []
    if not isinstance(clauses, list | tuple) or not all(
        isinstance(c, str) for c in clauses
    ):
        errors["clauses"] = [_("Clauses must be a list of texts.")]
        clauses = []
    clauses = [c.strip() for c in clauses if c and c.strip()]
    if len(title) < TITLE_MIN:
        errors.setdefault("title", []).append(
            _("The title needs at least %(n)d characters.") % {"n": TITLE_MIN}
        )
    if len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            _("The title can have at most %(n)d characters (it has %(len)d).")
            % {"n": TITLE_MAX, "len": len(title)}
        )
    if len(body) > BODY_MAX:
        errors["body"] = [
            _("The rationale can have at most %(n)d characters (it has %(len)d).")
            % {"n": BODY_MAX, "len": len(body)}
        ]
    if len(clauses) > CLAUSES_MAX:
        errors.setdefault("clauses", []).append(
            _("A proposal can have at most %(n)d clauses.") % {"n": CLAUSES_MAX}
        )
    for i, clause in enumerate(clauses, 1):
        if len(clause) > CLAUSE_MAX:
            errors.setdefault("clauses", []).append(
                _("Clause %(i)d can have at most %(n)d characters.")
                % {"i": i, "n": CLAUSE_MAX}
            )
    if errors:
        raise ValidationError(errors)
    return title, body, clauses


def _follow(member: Member, proposal: Proposal) -> None:
    """Authors follow their proposal (notifications); idempotent."""
    Follow.objects.get_or_create(
        member=member, target_kind=FollowTarget.PROPOSAL, target_id=proposal.pk
    )


def _require_author(actor: Member, proposal: Proposal) -> None:
    if not permissions.is_author(actor, proposal):
        raise NotAllowed(_("Only the proposal's authors may do this."))


def record_proposal_event(proposal: Proposal, type_: str, data: dict) -> None:
    """Store a durable event (next `seq`) on the proposal's thread, published to its
    watchers after commit (`append_thread_event`)."""
    if proposal.thread_id:
        append_thread_event(
            thread=proposal.thread_id, type=type_, object_id=proposal.pk, data=data
        )


def _transition(
    proposal: Proposal,
    to: str,
    *,
    at: datetime,
    cause: str,
    actor: Member | None = None,
    phase_ends: datetime | None = None,
) -> None:
    """Move a locked proposal; record the change; push `proposal.state_changed`."""
    from_state = proposal.state
    try:
        with transaction.atomic():
            StateChange.objects.create(
                proposal=proposal,
                from_state=from_state,
                to_state=to,
                at=at,
                cause=cause,
                actor=actor if actor is not None and actor.pk else None,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This proposal has already been moved to this state.")
        ) from exc
    proposal.state = to
    proposal.phase_ends = phase_ends
    stamps: dict[str, str] = {
        State.GATHERING_SUPPORT: "published_at",
        State.DISCUSSION: "discussion_started_at",
        State.FROZEN: "frozen_at",
        State.VOTING: "voting_started_at",
    }
    stamp = stamps.get(to, "closed_at")
    setattr(proposal, stamp, at)
    proposal.save(update_fields=["state", "phase_ends", stamp, "updated"])
    if to == State.VOTING:
        hooks.voting_started(proposal=proposal, at=at)
    if proposal.published_at is not None:  # a draft's withdrawal stays private
        record_audit(
            actor=actor,
            action="proposal.state_changed",
            unit=proposal.unit,
            target=proposal,
            at=at,
            summary=f"#{proposal.pk}: {from_state} → {to} ({cause})",
            data={"from": from_state, "to": to, "cause": cause},
        )
    hooks.state_changed(
        proposal=proposal, from_state=from_state, to_state=to, at=at, cause=cause
    )
    notifying.state_changed(
        proposal,
        from_state=from_state,
        to=to,
        cause=cause,
        actor=actor if actor is not None and actor.pk else None,
    )
    record_proposal_event(
        proposal,
        "proposal.state_changed",
        {
            "from": from_state,
            "state": to,
            "at": at.isoformat(),
            "cause": cause,
            "phase_ends": phase_ends.isoformat() if phase_ends else None,
            "support_count": proposal.support_count,
            "support_needed": proposal.support_needed,
        },
    )


def _write_revision(
    proposal: Proposal,
    *,
    actor: Member | None,
    note: str = "",
    note_code: str = "",
    amendment: Amendment | None = None,
) -> Revision:
    return Revision.objects.create(
        proposal=proposal,
        number=proposal.revision,
        title=proposal.title,
        body=proposal.body,
        clauses=list(proposal.clauses),
        author=actor if actor is not None and actor.pk else None,
        note=note[:300],
        note_code=note_code,
        amendment=amendment,
    )


def count_support(*, row: Proposal | Amendment, support: Any, already: str) -> None:
    """Store one member's support (`support`: an unsaved Support or AmendmentSupport;
    the database refuses a second per member) and count it on the locked `row`."""
    try:
        with transaction.atomic():
            support.save()
    except IntegrityError as exc:
        raise Conflict(already, code="already_supported") from exc
    row.support_count += 1
    row.save(update_fields=["support_count"])


def uncount_support(*, row: Proposal | Amendment, supports: Any, missing: str) -> None:
    """Delete the member's support (`supports`: the queryset of it) and take it off
    the locked `row`'s count."""
    deleted, _n = supports.delete()
    if not deleted:
        raise Conflict(missing, code="not_supported")
    row.support_count = max(0, row.support_count - 1)
    row.save(update_fields=["support_count"])
