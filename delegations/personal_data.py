"""Delegations as personal data (deliberation/members/personal_data.py): the member's
delegations, exported with their history; on erasure the delegations they gave are
deleted and they are taken off others' trustee lists (the rest of each list keeps
its order). Polls already counted keep their bulletin, as voting decides."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import Delegation, DelegationTrustee


def export_delegations(member: Member) -> Iterator[dict]:
    qs = (
        Delegation.objects.filter(truster=member)
        .select_related("unit", "topic")
        .prefetch_related("trustees__trustee")
        .order_by("given", "id")
    )
    for d in qs.iterator(chunk_size=500):
        yield {
            "unit": d.unit_id,
            "topic": d.topic_id,
            "scope": str(d.unit or d.topic),
            "trustees": [t.trustee.username for t in d.trustees.all()],
            "given": d.given.isoformat(),
            "expires": d.expires.isoformat(),
            "revoked": d.revoked_at.isoformat() if d.revoked_at else None,
        }


def export_trusted_by(member: Member) -> Iterator[dict]:
    qs = (
        DelegationTrustee.objects.filter(trustee=member)
        .select_related("delegation__truster")
        .order_by("delegation__given", "id")
    )
    for t in qs.iterator(chunk_size=500):
        d = t.delegation
        yield {
            "truster": d.truster.username,
            "rank": t.rank,
            "unit": d.unit_id,
            "topic": d.topic_id,
            "given": d.given.isoformat(),
            "expires": d.expires.isoformat(),
            "revoked": d.revoked_at.isoformat() if d.revoked_at else None,
        }


def erase_delegations(ctx: ErasureContext) -> None:
    Delegation.objects.filter(truster=ctx.member).delete()
    DelegationTrustee.objects.filter(trustee=ctx.member).delete()


def register() -> None:
    register_section(
        "delegations.given",
        title=_("Delegations you gave"),
        export=export_delegations,
        erase=erase_delegations,
        order=60,
        stores=[
            Stored(
                "Delegations you gave (scope, ranked trustees, given, expiry, "
                "revocation)",
                "to count your vote in open polls through your trustees",
                "while in force and afterwards as history (public to members); "
                "deleted on erasure",
            )
        ],
    )
    register_section(
        "delegations.trusted_by",
        title=_("Delegations given to you"),
        export=export_trusted_by,
        order=61,
        stores=[
            Stored(
                "Delegations naming you as trustee or fallback",
                "you carry those members' votes in open polls",
                "as the giver's; you are taken off them on erasure",
            )
        ],
    )
