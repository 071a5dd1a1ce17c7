"""Follows as personal data: exported, deleted on erasure (also others' follows of
the erased member, who can no longer be followed)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import Follow, FollowTarget


def export_follows(member: Member) -> Iterator[dict]:
    qs = Follow.objects.filter(member=member).order_by("created", "id")
    for f in qs.iterator(chunk_size=1000):
        yield {
            "kind": f.target_kind,
            "id": f.target_id,
            "since": f.created.isoformat(),
        }


def erase_follows(ctx: ErasureContext) -> None:
    Follow.objects.filter(member=ctx.member).delete()
    Follow.objects.filter(
        target_kind=FollowTarget.MEMBER, target_id=ctx.member.pk
    ).delete()


def register() -> None:
    register_section(
        "notifications.follows",
        title=_("What you follow"),
        export=export_follows,
        erase=erase_follows,
        order=40,
        stores=[
            Stored(
                "What you follow (proposals, threads, units, topics, members)",
                "to notify you",
                "until you unfollow; deleted on erasure",
            )
        ],
    )
