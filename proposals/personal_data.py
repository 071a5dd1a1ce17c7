"""Proposals' share of a member's personal data (registered in `ProposalsConfig.
ready` with deliberation/members/personal_data.py): proposals and their revisions,
co-authorships, supports, amendments and amendment supports.

Erasure: a proposal the member wrote that nobody else took part in — no other
author, no other supporter, no comment by anyone else, no vote, no amendment by
anyone else, no alternative — is deleted with its thread. Every other proposal keeps
its text under "a former member" (the member row is anonymised, the authorship
stays). Supports stay counted without the person; amendments stay as part of their
proposal's history, also under "a former member"."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _

from deliberation.discussions.models import Comment, Thread
from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import (
    Amendment,
    AmendmentSupport,
    Proposal,
    ProposalAuthor,
    Revision,
    Support,
)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_proposals(member: Member) -> Iterator[dict]:
    qs = (
        ProposalAuthor.objects.filter(member=member)
        .select_related("proposal", "proposal__unit")
        .order_by("invited_at", "id")
    )
    for a in qs.iterator(chunk_size=200):
        p = a.proposal
        revisions = Revision.objects.filter(proposal=p, author=member).order_by(
            "number"
        )
        yield {
            "id": p.pk,
            "title": p.title,
            "unit": p.unit.name,
            "state": p.state,
            "you_created_it": a.is_creator,
            "invited": _iso(a.invited_at),
            "accepted": _iso(a.accepted_at),
            "clauses": p.clauses,
            "rationale": p.body,
            "created": _iso(p.created),
            "your_revisions": [
                {
                    "number": r.number,
                    "title": r.title,
                    "rationale": r.body,
                    "clauses": r.clauses,
                    "note": r.note,
                    "created": _iso(r.created),
                }
                for r in revisions
            ],
        }


def export_supports(member: Member) -> Iterator[dict]:
    qs = (
        Support.objects.filter(member=member)
        .select_related("proposal")
        .order_by("created", "id")
    )
    for s in qs.iterator(chunk_size=1000):
        yield {
            "proposal": s.proposal_id,
            "title": s.proposal.title,
            "since": _iso(s.created),
        }
    amendment_supports = AmendmentSupport.objects.filter(member=member).order_by(
        "created", "id"
    )
    for a in amendment_supports.iterator(chunk_size=1000):
        yield {"amendment": a.amendment_id, "since": _iso(a.created)}


def export_amendments(member: Member) -> Iterator[dict]:
    qs = Amendment.objects.filter(author=member).order_by("created", "id")
    for a in qs.iterator(chunk_size=500):
        yield {
            "id": a.pk,
            "proposal": a.proposal_id,
            "target": a.target,
            "clause": a.clause,
            "passage": a.original,
            "replacement": a.replacement,
            "rationale": a.rationale,
            "state": a.state,
            "created": _iso(a.created),
        }


def _only_theirs(proposal: Proposal, member: Member) -> bool:
    """Nobody but the member took part in the proposal (a vote on it is caught by
    the database: polls protect their proposals, see `erase_proposals`)."""
    if ProposalAuthor.objects.filter(proposal=proposal).exclude(member=member).exists():
        return False
    if Support.objects.filter(proposal=proposal).exclude(member=member).exists():
        return False
    if Amendment.objects.filter(proposal=proposal).exclude(author=member).exists():
        return False
    if Proposal.objects.filter(alternative_to=proposal).exists():
        return False
    thread_ids = [t for t in [proposal.thread_id, *_amendment_threads(proposal)] if t]
    return (
        not Comment.objects.filter(thread_id__in=thread_ids)
        .exclude(author=member)
        .exists()
    )


def _amendment_threads(proposal: Proposal) -> list[int]:
    return list(
        Amendment.objects.filter(proposal=proposal, thread__isnull=False).values_list(
            "thread_id", flat=True
        )
    )


def _delete_thread(thread_id: int | None) -> None:
    if thread_id is None:
        return
    comments = Comment.objects.filter(thread_id=thread_id)
    # Replies first: comments protect their parents.
    for depth in sorted(set(comments.values_list("depth", flat=True)), reverse=True):
        Comment.objects.filter(thread_id=thread_id, depth=depth).delete()
    Thread.objects.filter(pk=thread_id).delete()


def erase_proposals(ctx: ErasureContext) -> None:
    member = ctx.member
    created = Proposal.objects.filter(
        authorships__member=member, authorships__is_creator=True
    ).distinct()
    for proposal in list(created):
        if not _only_theirs(proposal, member):
            continue
        threads = [proposal.thread_id, *_amendment_threads(proposal)]
        try:
            with transaction.atomic():  # a savepoint: kept if anything protects it
                proposal.delete()
                for thread_id in threads:
                    _delete_thread(thread_id)
        except (ProtectedError, RestrictedError):
            continue
    # Invitations they never accepted are theirs alone.
    ProposalAuthor.objects.filter(member=member, accepted_at__isnull=True).exclude(
        is_creator=True
    ).delete()


def register() -> None:
    register_section(
        "proposals.proposals",
        title=_("Proposals you wrote or co-wrote"),
        export=export_proposals,
        erase=erase_proposals,
        order=20,
        stores=[
            Stored(
                "Proposals you wrote or co-wrote, with every revision",
                "proposals are the party's shared work",
                "permanently; after erasure under “a former member” when others "
                "supported, co-wrote, discussed or voted on them, otherwise deleted",
            )
        ],
    )
    register_section(
        "proposals.supports",
        title=_("Your supports"),
        export=export_supports,
        order=21,
        stores=[
            Stored(
                "Supports of proposals and amendments",
                "they count toward the admission quorum",
                "until you withdraw them; after erasure they stay counted, without you",
            )
        ],
    )
    register_section(
        "proposals.amendments",
        title=_("Amendments you suggested"),
        export=export_amendments,
        order=22,
        stores=[
            Stored(
                "Amendments you suggested",
                "part of the proposal's history",
                "permanently; after erasure under “a former member”",
            )
        ],
    )
