"""Congress's share of a member's personal data (registered in `CongressConfig.
ready` with deliberation/members/personal_data.py): delegacies and delegates'
roll-call votes, responses and follow-up updates.

All of it is the organisation's public record: on erasure it stays with the name, on
the name-only public row (`ErasureContext.public_holder`), apart from the member's
anonymous comments and supports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import Congress, Delegate, DelegateVote, FollowUpUpdate, ItemResponse


def export_delegate_votes(member: Member) -> Iterator[dict]:
    for d in Delegate.objects.filter(member=member).select_related("congress", "unit"):
        yield {"congress": d.congress.pk, "title": str(d.congress), "unit": d.unit.name}
    votes = (
        DelegateVote.objects.filter(delegate__member=member)
        .order_by("created", "id")
        .iterator(chunk_size=1000)
    )
    for v in votes:
        yield {
            "clause": v.clause_id,
            "vote": v.vote,
            "explanation": v.explanation,
            "at": v.created.isoformat(),
        }


def erase_congress(ctx: ErasureContext) -> None:
    m = ctx.member
    for qs, field in (
        (Delegate.objects.filter(member=m), "member"),
        (ItemResponse.objects.filter(author=m), "author"),
        (FollowUpUpdate.objects.filter(author=m), "author"),
        (Congress.objects.filter(created_by=m), "created_by"),
    ):
        if qs.exists():
            qs.update(**{field: ctx.public_holder()})


def register() -> None:
    register_section(
        "congress.delegate",
        title=_("Congress: your delegacies and roll-call votes"),
        export=export_delegate_votes,
        erase=erase_congress,
        order=70,
        stores=[
            Stored(
                "Congress delegacies, delegates' roll-call votes with explanations, "
                "answers and follow-ups written for a unit",
                "delegates' votes are public so members can hold them to account",
                "permanently, with the name, also after erasure",
            )
        ],
    )
