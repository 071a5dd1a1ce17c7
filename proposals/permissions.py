"""Who may do what with proposals (predicates reused by the API, the pages and the
admin). Flat: any member of a unit (or of a unit below it) may propose there and
support; only accepted authors edit; only administrators edit policies."""

from __future__ import annotations

from django.db.models import Q

from deliberation.discussions.models import Thread
from deliberation.members.models import Role, Unit
from deliberation.members.permissions import (
    has_role,
    is_member_of,
    scope_unit_ids_of,
)
from deliberation.members.viewer import Viewer, signed_in

from .models import Proposal, ProposalAuthor


def _authorships(proposal: Proposal) -> dict[int, bool]:
    """member id → accepted, cached on the proposal for one request."""
    cache: dict[int, bool] | None = proposal.__dict__.get("_authorship_cache")
    if cache is None:
        rows = proposal.__dict__.get("author_refs")  # selectors.attach_people
        if rows is None:
            rows = proposal.authorships.all()
        cache = {a.member_id: a.accepted_at is not None for a in rows}
        proposal.__dict__["_authorship_cache"] = cache
    return cache


def is_author(member: Viewer | None, proposal: Proposal) -> bool:
    if not signed_in(member):
        return False
    return _authorships(proposal).get(member.pk, False)


def is_invited_coauthor(member: Viewer | None, proposal: Proposal) -> bool:
    if not signed_in(member):
        return False
    return _authorships(proposal).get(member.pk) is False


def can_read_proposal(member: Viewer | None, proposal: Proposal) -> bool:
    """Published: every signed-in member (anonymous visitors get the public teaser
    page only). Unpublished (a draft, or a draft withdrawn before publication): its
    authors and invited co-authors, nobody else — not moderators, not admins."""
    if not signed_in(member):
        return False
    if proposal.is_published:
        return True
    return member.pk in _authorships(proposal)


def readable_proposals_q(member: Viewer | None, prefix: str = "") -> Q:
    """`can_read_proposal` as a filter over rows reaching a proposal by `prefix`."""
    published = Q(**{f"{prefix}published_at__isnull": False})
    if not signed_in(member):
        return published
    own = ProposalAuthor.objects.filter(member=member).values("proposal_id")
    return published | Q(**{f"{prefix}pk__in": own})


# --- thread subjects (registered with discussions in ProposalsConfig.ready) ----------


def can_read_proposal_thread(member: Viewer | None, thread: Thread) -> bool:
    proposal = getattr(thread, "proposal", None)
    return proposal is not None and can_read_proposal(member, proposal)


def is_public_proposal_thread(thread: Thread) -> bool:
    proposal = getattr(thread, "proposal", None)
    return proposal is not None and proposal.is_published


def is_public_amendment_thread(thread: Thread) -> bool:
    amendment = getattr(thread, "amendment", None)
    return amendment is not None and amendment.proposal.is_published


def readable_proposal_threads(member: Viewer | None) -> Q:
    return readable_proposals_q(member, "proposal__")


def can_read_amendment_thread(member: Viewer | None, thread: Thread) -> bool:
    amendment = getattr(thread, "amendment", None)
    return amendment is not None and can_read_proposal(member, amendment.proposal)


def readable_amendment_threads(member: Viewer | None) -> Q:
    return readable_proposals_q(member, "amendment__proposal__")


def can_propose_in(member: Viewer | None, unit: Unit) -> bool:
    return is_member_of(member, unit)


def can_take_part(member: Viewer | None, proposal: Proposal) -> bool:
    """Amendments and alternatives: members of the proposal's unit (or below it)."""
    return is_member_of(member, proposal.unit)


def can_support(member: Viewer | None, proposal: Proposal) -> bool:
    """Members of the proposal's unit (or below it), and of its sibling units — the
    parent's subtree — who say "we want this here as well" (docs/flat.md)."""
    if is_member_of(member, proposal.unit):
        return True
    ids = proposal.unit.ancestor_ids
    return len(ids) >= 2 and ids[-2] in scope_unit_ids_of(member)


def reach_unit_name(proposal: Proposal) -> str:
    """The unit whose members (and those of units below it) may support."""
    unit = proposal.unit
    if unit.parent_id is None:
        return unit.name
    parent = Unit.objects.filter(pk=unit.parent_id).only("name").first()
    return parent.name if parent else unit.name


def can_edit_policy(member: Viewer | None, unit: Unit) -> bool:
    return getattr(member, "is_superuser", False) or has_role(member, unit, Role.ADMIN)
