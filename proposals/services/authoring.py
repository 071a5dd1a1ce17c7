"""Writing a proposal: create (a draft or published at once), publish, edit (a new
revision), co-authors accept or decline, withdraw."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.discussions.models import ThreadKind
from deliberation.discussions.services import create_thread
from deliberation.errors import Conflict, NotAllowed
from deliberation.markdown import render_markdown
from deliberation.members.models import Member, Unit
from deliberation.members.selectors import subtree_member_count

from .. import permissions
from ..models import (
    EDITABLE_STATES,
    Cause,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    State,
    Topic,
)
from ..rules import clause_text, clean_rule_changes
from ..search import refresh_search_vector
from ..selectors import policy_for_unit
from ._common import (
    COAUTHORS_MAX,
    _follow,
    _require_author,
    _transition,
    _write_revision,
    clean_text,
    record_proposal_event,
)
from .locks import lock_proposal
from .policies import ensure_default_policy


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
    kind: str = ProposalKind.ORDINARY,
    rule_changes: list[dict] | None = None,
    rules_effective_from: datetime | None = None,
) -> Proposal:
    """A new draft (or published at once with `publish=True`). With `alternative_to`
    it competes with that proposal and joins it in discussion when published. A rule
    proposal (`kind="rules"`) has structured clauses, `rule_changes`
    (docs/flat.md); its clause texts are written from them."""
    if kind == ProposalKind.RULES:
        rule_changes = clean_rule_changes(rule_changes)
        clauses = [clause_text(change) for change in rule_changes]
        if alternative_to is not None:
            raise ValidationError(
                {"kind": [_("A rule proposal cannot be an alternative.")]}
            )
    elif kind != ProposalKind.ORDINARY:
        raise ValidationError({"kind": [_("Unknown kind of proposal.")]})
    else:
        rule_changes = []
        rules_effective_from = None
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
        kind=kind,
        rule_changes=rule_changes,
        rules_effective_from=rules_effective_from,
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
    _write_revision(proposal, actor=actor, note_code="first")
    refresh_search_vector(Proposal.objects.filter(pk=proposal.pk))
    if publish:
        proposal = publish_proposal(proposal=proposal, actor=actor)
    return proposal


@transaction.atomic
def publish_proposal(*, proposal: Proposal, actor: Member) -> Proposal:
    """draft → gathering_support: the quorum is fixed now from the unit's members.
    An alternative joins its original in discussion instead, on its schedule."""
    proposal = lock_proposal(proposal)
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
    if policy.pk is None:  # no default stored yet: the proposal keeps a real row
        policy = ensure_default_policy()
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
    proposal = lock_proposal(proposal)
    _require_author(actor, proposal)
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(
            _("This proposal is %(state)s and can no longer be edited.")
            % {"state": proposal.get_state_display().lower()}
        )
    if (
        clauses is not None
        and proposal.kind == ProposalKind.RULES
        and list(clauses) != list(proposal.clauses)
    ):
        raise ValidationError(
            {
                "clauses": [
                    _(
                        "The clauses of a rule proposal are its rule changes; "
                        "they are written from them and cannot be edited as text."
                    )
                ]
            }
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
            record_proposal_event(
                proposal, "proposal.revised", {"revision": proposal.revision}
            )
    return proposal


@transaction.atomic
def accept_coauthorship(*, proposal: Proposal, member: Member) -> ProposalAuthor:
    proposal = lock_proposal(proposal)
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
    proposal = lock_proposal(proposal)
    _require_author(actor, proposal)
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(
            _("A proposal that is frozen or being voted on cannot be withdrawn.")
        )
    _transition(
        proposal, State.WITHDRAWN, at=timezone.now(), cause=Cause.AUTHOR, actor=actor
    )
    return proposal
