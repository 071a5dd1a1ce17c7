"""Writes for proposals. Each service validates, locks what it changes
(`select_for_update`, proposal row first, then amendment, then thread), writes, and
schedules its live events after commit (`append_thread_event`).

State machine and schedule: docs/proposals.md.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.audit.services import record_audit
from deliberation.discussions.models import ThreadKind
from deliberation.discussions.services import append_thread_event, create_thread
from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.markdown import render_markdown
from deliberation.members.models import Member, Unit
from deliberation.members.selectors import subtree_member_count
from deliberation.notifications.models import Follow, FollowTarget

from . import permissions
from .models import (
    EDITABLE_STATES,
    SUPPORTABLE_STATES,
    Amendment,
    AmendmentState,
    Cause,
    Policy,
    Proposal,
    ProposalAuthor,
    Revision,
    State,
    StateChange,
    Support,
    Topic,
)
from .search import refresh_search_vector
from .selectors import policy_for_unit

logger = logging.getLogger(__name__)

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MAX = 20_000
CLAUSE_MAX, CLAUSES_MAX = 1_000, 30
COAUTHORS_MAX = 10

# ------------------------------------------------------------------ validation


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


def _lock(proposal: Proposal | int) -> Proposal:
    pk = proposal if isinstance(proposal, int) else proposal.pk
    return Proposal.objects.select_for_update().select_related("unit").get(pk=pk)


def _follow(member, proposal: Proposal) -> None:
    """Authors follow their proposal (notifications); idempotent."""
    Follow.objects.get_or_create(
        member=member, target_kind=FollowTarget.PROPOSAL, target_id=proposal.pk
    )


def _require_author(actor, proposal: Proposal) -> None:
    if not permissions.is_author(actor, proposal):
        raise NotAllowed(_("Only the proposal's authors may do this."))


# ------------------------------------------------------------------ events


def _support_payload(proposal: Proposal) -> dict:
    return {
        "support_count": proposal.support_count,
        "support_needed": proposal.support_needed,
        "state": proposal.state,
        "phase_ends": proposal.phase_ends.isoformat() if proposal.phase_ends else None,
        "days_left": proposal.days_left,
    }


def _push(proposal: Proposal, type_: str, data: dict) -> None:
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
    actor=None,
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
                actor=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This proposal has already been moved to this state.")
        ) from exc
    proposal.state = to
    proposal.phase_ends = phase_ends
    stamp = {
        State.GATHERING_SUPPORT: "published_at",
        State.DISCUSSION: "discussion_started_at",
        State.FROZEN: "frozen_at",
        State.VOTING: "voting_started_at",
    }.get(to, "closed_at")
    setattr(proposal, stamp, at)
    proposal.save(update_fields=["state", "phase_ends", stamp, "updated"])
    _push(
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


# ------------------------------------------------------------------ writing


def _write_revision(
    proposal: Proposal, *, actor, note: str = "", amendment: Amendment | None = None
) -> Revision:
    return Revision.objects.create(
        proposal=proposal,
        number=proposal.revision,
        title=proposal.title,
        body=proposal.body,
        clauses=list(proposal.clauses),
        author=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
        amendment=amendment,
    )


@transaction.atomic
def create_proposal(
    *,
    actor: Member,
    title: str,
    body: str = "",
    clauses: list[str] | None = None,
    unit: Unit | None = None,
    topics: list[Topic] | None = None,
    coauthors: list[Member] | None = None,
    publish: bool = False,
    alternative_to: Proposal | None = None,
) -> Proposal:
    """A new draft (or published at once with `publish=True`). With `alternative_to`
    it competes with that proposal and joins it in discussion when published."""
    title, body, clauses = clean_text(title=title, body=body, clauses=clauses)
    if alternative_to is not None:
        alternative_to = alternative_to.alternative_to or alternative_to
        if alternative_to.state != State.DISCUSSION:
            raise Conflict(
                _(
                    "Alternatives can only be written while the original "
                    "proposal is in discussion."
                )
            )
        unit = alternative_to.unit
    if unit is None:
        raise ValidationError({"unit": [_("Choose the unit the proposal is for.")]})
    if not permissions.can_propose_in(actor, unit):
        raise NotAllowed(_("You can only propose in units you belong to."))
    coauthors = [c for c in dict.fromkeys(coauthors or []) if c.pk != actor.pk]
    if len(coauthors) > COAUTHORS_MAX:
        raise ValidationError(
            {"coauthors": [_("At most %(n)d co-authors.") % {"n": COAUTHORS_MAX}]}
        )
    for coauthor in coauthors:
        if not permissions.can_propose_in(coauthor, unit):
            raise ValidationError(
                {
                    "coauthors": [
                        _("%(name)s is not a member of %(unit)s.")
                        % {"name": coauthor.display_name, "unit": unit.name}
                    ]
                }
            )
    thread = create_thread(
        title=title, unit=unit, actor=actor, kind=ThreadKind.PROPOSAL
    )
    proposal = Proposal.objects.create(
        title=title,
        body=body,
        body_html=render_markdown(body),
        clauses=clauses,
        unit=unit,
        thread=thread,
        created_by=actor,
        alternative_to=alternative_to,
    )
    if topics:
        proposal.topics.set(topics)
    now = timezone.now()
    ProposalAuthor.objects.create(
        proposal=proposal,
        member=actor,
        is_creator=True,
        invited_at=now,
        accepted_at=now,
    )
    _follow(actor, proposal)
    ProposalAuthor.objects.bulk_create(
        [ProposalAuthor(proposal=proposal, member=c, invited_at=now) for c in coauthors]
    )
    _write_revision(proposal, actor=actor, note=_("First version"))
    refresh_search_vector(Proposal.objects.filter(pk=proposal.pk))
    if publish:
        proposal = publish_proposal(proposal=proposal, actor=actor)
    return proposal


@transaction.atomic
def publish_proposal(*, proposal: Proposal, actor: Member) -> Proposal:
    """draft → gathering_support: the quorum is fixed now from the unit's members.
    An alternative joins its original in discussion instead, on its schedule."""
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    if proposal.state != State.DRAFT:
        raise Conflict(_("Only a draft can be published."))
    now = timezone.now()
    if proposal.alternative_to_id:
        original = Proposal.objects.select_for_update().get(
            pk=proposal.alternative_to_id
        )
        if original.state != State.DISCUSSION:
            raise Conflict(
                _(
                    "The original proposal is no longer in discussion, so an "
                    "alternative can no longer join it."
                )
            )
        proposal.policy_id = original.policy_id
        proposal.eligible_count = original.eligible_count
        proposal.support_needed = original.support_needed
        proposal.save(update_fields=["policy", "eligible_count", "support_needed"])
        # Through gathering_support at once: it rides on the original's admission.
        _transition(
            proposal, State.GATHERING_SUPPORT, at=now, cause=Cause.AUTHOR, actor=actor
        )
        _transition(
            proposal,
            State.DISCUSSION,
            at=now,
            cause=Cause.ALTERNATIVE,
            actor=actor,
            phase_ends=original.phase_ends,
        )
        return proposal
    policy = policy_for_unit(proposal.unit)
    eligible = subtree_member_count(proposal.unit)
    proposal.policy = policy
    proposal.eligible_count = eligible
    proposal.support_needed = policy.needed(eligible)
    proposal.save(update_fields=["policy", "eligible_count", "support_needed"])
    _transition(
        proposal,
        State.GATHERING_SUPPORT,
        at=now,
        cause=Cause.AUTHOR,
        actor=actor,
        phase_ends=now + timedelta(days=policy.support_days),
    )
    return proposal


@transaction.atomic
def update_proposal(
    *,
    proposal: Proposal,
    actor: Member,
    title: str | None = None,
    body: str | None = None,
    clauses: list[str] | None = None,
    topics: list[Topic] | None = None,
    note: str = "",
) -> Proposal:
    """Edit by an author; a changed text becomes a new immutable revision."""
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(
            _("This proposal is %(state)s and can no longer be edited.")
            % {"state": proposal.get_state_display().lower()}
        )
    new_title, new_body, new_clauses = clean_text(
        title=proposal.title if title is None else title,
        body=proposal.body if body is None else body,
        clauses=list(proposal.clauses) if clauses is None else clauses,
    )
    changed = (new_title, new_body, new_clauses) != (
        proposal.title,
        proposal.body,
        list(proposal.clauses),
    )
    if topics is not None:
        proposal.topics.set(topics)
    if changed:
        proposal.title, proposal.body, proposal.clauses = (
            new_title,
            new_body,
            new_clauses,
        )
        proposal.body_html = render_markdown(new_body)
        proposal.revision += 1
        proposal.save(
            update_fields=[
                "title",
                "body",
                "body_html",
                "clauses",
                "revision",
                "updated",
            ]
        )
        _write_revision(proposal, actor=actor, note=note)
        refresh_search_vector(Proposal.objects.filter(pk=proposal.pk))
        if proposal.thread_id:
            _push(proposal, "proposal.revised", {"revision": proposal.revision})
    return proposal


@transaction.atomic
def accept_coauthorship(*, proposal: Proposal, member: Member) -> ProposalAuthor:
    proposal = _lock(proposal)
    authorship = ProposalAuthor.objects.filter(proposal=proposal, member=member).first()
    if authorship is None:
        raise NotAllowed(_("You have not been invited to co-author this proposal."))
    if authorship.accepted_at:
        raise Conflict(_("You are already a co-author."))
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(_("This proposal can no longer take new co-authors."))
    authorship.accepted_at = timezone.now()
    authorship.save(update_fields=["accepted_at"])
    _follow(member, proposal)
    return authorship


@transaction.atomic
def decline_coauthorship(*, proposal: Proposal, member: Member) -> None:
    deleted, _n = ProposalAuthor.objects.filter(
        proposal=proposal, member=member, accepted_at__isnull=True
    ).delete()
    if not deleted:
        raise Conflict(_("There is no open invitation to decline."))


@transaction.atomic
def withdraw_proposal(*, proposal: Proposal, actor: Member) -> Proposal:
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(
            _("A proposal that is frozen or being voted on cannot be withdrawn.")
        )
    _transition(
        proposal, State.WITHDRAWN, at=timezone.now(), cause=Cause.AUTHOR, actor=actor
    )
    return proposal


# ------------------------------------------------------------------ support


@transaction.atomic
def support_proposal(*, proposal: Proposal | int, member: Member) -> Proposal:
    """Add the member's support. Reaching the quorum moves the proposal to discussion
    at once — exactly once, because the proposal row is locked while counting and
    the database refuses a second support (one_support_per_member)."""
    proposal = _lock(proposal)
    if proposal.state == State.DRAFT:
        raise Conflict(
            _("A draft cannot be supported until it is published."), code="draft"
        )
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("This proposal is %(state)s and no longer takes support.")
            % {"state": proposal.get_state_display().lower()},
            code="closed",
        )
    if not permissions.can_support(member, proposal):
        raise NotAllowed(
            _(
                "Only members of %(unit)s (or of units below it) can support "
                "this proposal."
            )
            % {"unit": proposal.unit.name}
        )
    try:
        with transaction.atomic():
            Support.objects.create(proposal=proposal, member=member)
    except IntegrityError as exc:
        raise Conflict(
            _("You already support this proposal."), code="already_supported"
        ) from exc
    proposal.support_count += 1
    proposal.save(update_fields=["support_count"])
    if (
        proposal.state == State.GATHERING_SUPPORT
        and proposal.support_count >= proposal.support_needed
    ):
        now = timezone.now()
        policy = proposal.policy or policy_for_unit(proposal.unit)
        _transition(
            proposal,
            State.DISCUSSION,
            at=now,
            cause=Cause.SUPPORT,
            phase_ends=now + timedelta(days=policy.discussion_days),
        )
    _push(proposal, "proposal.support_changed", _support_payload(proposal))
    return proposal


@transaction.atomic
def withdraw_support(*, proposal: Proposal | int, member: Member) -> Proposal:
    """Take support back. A proposal that already reached discussion stays there."""
    proposal = _lock(proposal)
    if proposal.state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("This proposal no longer takes or gives back support."), code="closed"
        )
    deleted, _n = Support.objects.filter(proposal=proposal, member=member).delete()
    if not deleted:
        raise Conflict(_("You do not support this proposal."), code="not_supported")
    proposal.support_count = max(0, proposal.support_count - 1)
    proposal.save(update_fields=["support_count"])
    _push(proposal, "proposal.support_changed", _support_payload(proposal))
    return proposal


# ------------------------------------------------------------------ schedule

BATCH = 100


def _advance_one(proposal: Proposal) -> None:
    """One scheduled step of a locked, due proposal, dated at its scheduled time."""
    at = proposal.phase_ends
    policy = proposal.policy or policy_for_unit(proposal.unit)
    if proposal.state == State.GATHERING_SUPPORT:
        _transition(proposal, State.EXPIRED, at=at, cause=Cause.SCHEDULE)
    elif proposal.state == State.DISCUSSION:
        _transition(
            proposal,
            State.FROZEN,
            at=at,
            cause=Cause.SCHEDULE,
            phase_ends=at + timedelta(days=policy.freeze_days),
        )
        _settle_amendments(proposal, at=at)
    elif proposal.state == State.FROZEN:
        _transition(
            proposal,
            State.VOTING,
            at=at,
            cause=Cause.SCHEDULE,
            phase_ends=at + timedelta(days=policy.voting_days),
        )


def advance_due_proposals(*, now: datetime | None = None) -> int:
    """Move every proposal whose phase has ended, one step at a time, until none is
    due (catch-up after downtime walks through each missed phase, dated when it was
    scheduled). Safe with several workers: rows locked by another run are skipped and
    each batch re-reads the state under lock. A proposal that cannot move (its data
    is inconsistent) is logged and left for a person, without blocking the others.
    Returns the number of steps taken."""
    now = now or timezone.now()
    steps = 0
    stuck: set[int] = set()
    while True:
        with transaction.atomic():
            batch = list(
                Proposal.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    state__in=[State.GATHERING_SUPPORT, State.DISCUSSION, State.FROZEN],
                    phase_ends__lte=now,
                )
                .exclude(pk__in=stuck)
                .select_related("unit", "policy")
                .order_by("phase_ends", "id")[:BATCH]
            )
            if not batch:
                return steps
            for proposal in batch:
                try:
                    with transaction.atomic():
                        _advance_one(proposal)
                except Exception:
                    logger.exception(
                        "proposal %s could not move on schedule", proposal.pk
                    )
                    stuck.add(proposal.pk)
                else:
                    steps += 1


@transaction.atomic
def record_vote_outcome(
    *, proposal: Proposal, adopted: bool, at: datetime | None = None, actor=None
) -> Proposal:
    """voting → adopted | rejected. Called by the voting area when it has the result;
    the schedule never ends a vote by itself."""
    proposal = _lock(proposal)
    if proposal.state != State.VOTING:
        raise Conflict(_("Only a proposal being voted on can get a result."))
    _transition(
        proposal,
        State.ADOPTED if adopted else State.REJECTED,
        at=at or timezone.now(),
        cause=Cause.RESULT,
        actor=actor,
    )
    return proposal


def _settle_amendments(proposal: Proposal, *, at: datetime) -> None:
    """At the freeze, open amendments with enough support go to the vote beside the
    proposal; the others lapse."""
    open_ = Amendment.objects.filter(proposal=proposal, state=AmendmentState.OPEN)
    open_.filter(support_count__gte=F("support_needed")).update(
        state=AmendmentState.TO_VOTE, decided_at=at
    )
    open_.update(state=AmendmentState.LAPSED, decided_at=at)


# ------------------------------------------------------------------ policies

POLICY_FIELDS = [
    "admission_quorum",
    "support_days",
    "discussion_days",
    "freeze_days",
    "voting_days",
    "majority",
    "turnout_quorum",
    "ballot",
    "delegation_allowed",
    "amendment_quorum",
]


@transaction.atomic
def set_unit_policy(*, actor: Member, unit: Unit, reason: str = "", **values) -> Policy:
    """Create or change a unit's own policy (administrators), logged in the audit log.
    Proposals already published keep the quorum they were given."""
    if not permissions.can_edit_policy(actor, unit):
        raise NotAllowed(_("Only administrators of this unit can change its policy."))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError(
            _("Unknown policy fields: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    policy = Policy.objects.select_for_update().filter(unit=unit).first()
    base = policy or policy_for_unit(unit)
    before = {f: str(getattr(base, f)) for f in POLICY_FIELDS}
    if policy is None:
        policy = Policy(unit=unit, **{f: getattr(base, f) for f in POLICY_FIELDS})
    for field, value in values.items():
        setattr(policy, field, value)
    policy.updated_by = actor
    policy.full_clean(exclude=["unit"])
    policy.save()
    after = {f: str(getattr(policy, f)) for f in POLICY_FIELDS}
    changed = {f: [before[f], after[f]] for f in POLICY_FIELDS if before[f] != after[f]}
    record_audit(
        actor=actor,
        action="policy.updated",
        unit=unit,
        target=policy,
        summary=_("Changed the proposal policy of %(unit)s") % {"unit": unit.name},
        reason=reason,
        data={"changed": changed},
    )
    return policy


# Amendment services live in proposals/amendments.py; re-exported for one entry point.
from .amendments import (  # noqa: E402
    accept_amendment,
    create_amendment,
    support_amendment,
    withdraw_amendment,
    withdraw_amendment_support,
)

__all__ = [
    "accept_amendment",
    "accept_coauthorship",
    "advance_due_proposals",
    "clean_text",
    "create_amendment",
    "create_proposal",
    "decline_coauthorship",
    "publish_proposal",
    "record_vote_outcome",
    "set_unit_policy",
    "support_amendment",
    "support_proposal",
    "update_proposal",
    "withdraw_amendment",
    "withdraw_amendment_support",
    "withdraw_proposal",
    "withdraw_support",
]
