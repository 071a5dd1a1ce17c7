"""Discussions' share of a member's personal data: comments with their edit history,
reactions, flags raised, appeals, mentions and live sessions — exported and erased
through the registry (`deliberation/members/personal_data.py`).

Erasure: comments stay in their threads (replies keep their place) under "a former
member"; their text and edit history go unless the member chose to keep them
anonymously. Reactions stay counted. Moderation decisions and live sessions are uses
of a role, so they stay on the public record under the name (the public holder row).
Stored thread events carry member references (`{"id", "username", "name"}`); those
naming the member are rewritten to the anonymous reference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from deliberation.members.models import Member
from deliberation.members.personal_data import (
    ErasureContext,
    Stored,
    register_section,
)

from .models import (
    Appeal,
    Comment,
    CommentRevision,
    Flag,
    LiveSession,
    Mention,
    ModerationAction,
    Reaction,
    ThreadEvent,
)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def export_comments(member: Member) -> Iterator[dict]:
    """Plain rows from a server-side cursor, 500 at a time, with their earlier
    versions fetched per batch: memory stays flat however many comments."""
    rows = (
        Comment.objects.filter(author=member)
        .order_by("created", "id")
        .values(
            "id",
            "thread_id",
            "thread__title",
            "parent_id",
            "stance",
            "body",
            "created",
            "edited",
            "deleted",
            "hidden",
            "hidden_reason",
        )
        .iterator(chunk_size=500)
    )
    for batch in _batches(rows, 500):
        earlier: dict[int, list[dict]] = {}
        for r in (
            CommentRevision.objects.filter(comment_id__in=[c["id"] for c in batch])
            .order_by("created", "id")
            .values("comment_id", "body", "stance", "created")
        ):
            earlier.setdefault(r["comment_id"], []).append(
                {
                    "body": r["body"],
                    "stance": r["stance"],
                    "written": _iso(r["created"]),
                }
            )
        for c in batch:
            yield {
                "id": c["id"],
                "thread": c["thread_id"],
                "thread_title": c["thread__title"],
                "parent": c["parent_id"],
                "stance": c["stance"],
                "body": c["body"],
                "created": _iso(c["created"]),
                "edited": _iso(c["edited"]),
                "deleted": _iso(c["deleted"]),
                "hidden": c["hidden"],
                "hidden_reason": c["hidden_reason"],
                "earlier_versions": earlier.get(c["id"], []),
            }


def export_reactions(member: Member) -> Iterator[dict]:
    qs = Reaction.objects.filter(member=member).order_by("created", "id")
    for r in qs.iterator(chunk_size=1000):
        yield {"comment": r.comment_id, "kind": r.kind, "at": _iso(r.created)}


def export_flags(member: Member) -> Iterator[dict]:
    qs = Flag.objects.filter(member=member).order_by("created", "id")
    for f in qs.iterator(chunk_size=1000):
        yield {
            "comment": f.comment_id,
            "reason": f.reason,
            "at": _iso(f.created),
            "resolved": _iso(f.resolved),
        }


def export_appeals(member: Member) -> Iterator[dict]:
    qs = Appeal.objects.filter(author=member).order_by("created", "id")
    for a in qs.iterator(chunk_size=500):
        yield {
            "comment": a.comment_id,
            "reason": a.reason,
            "at": _iso(a.created),
            "outcome": a.outcome,
            "decision_reason": a.decision_reason,
        }


def export_live_sessions(member: Member) -> Iterator[dict]:
    qs = LiveSession.objects.filter(facilitator=member).order_by("starts", "id")
    for s in qs.iterator(chunk_size=500):
        yield {
            "thread": s.thread_id,
            "title": s.title,
            "agenda": s.agenda,
            "starts": _iso(s.starts),
            "ends": _iso(s.ends),
            "closed": _iso(s.closed),
            "minutes": s.minutes,
        }


def erase_comments(ctx: ErasureContext) -> None:
    member = ctx.member
    mine = Comment.objects.filter(author=member)
    if not ctx.keep_comments:
        CommentRevision.objects.filter(comment__author=member).delete()
        mine.filter(deleted__isnull=True).update(deleted=ctx.now)
        mine.update(body="", body_html="")
        Appeal.objects.filter(author=member).update(reason="")
        Flag.objects.filter(member=member).update(reason="")
    Mention.objects.filter(member=member).delete()
    _move_public_record(ctx)
    scrub_thread_events(ctx)


def _move_public_record(ctx: ErasureContext) -> None:
    """Moderation decisions and live sessions are uses of a role: public, named."""
    m = ctx.member
    querysets = [
        (ModerationAction.objects.filter(moderator=m), "moderator"),
        (Appeal.objects.filter(hidden_by=m), "hidden_by"),
        (Appeal.objects.filter(decided_by=m), "decided_by"),
        (LiveSession.objects.filter(facilitator=m), "facilitator"),
        (LiveSession.objects.filter(closed_by=m), "closed_by"),
    ]
    for qs, field in querysets:
        if qs.exists():
            qs.update(**{field: ctx.public_holder()})


def _replace_refs(value: Any, pk: int, ref: dict) -> Any:
    if isinstance(value, dict):
        if value.get("id") == pk and "username" in value:
            return dict(ref)
        return {k: _replace_refs(v, pk, ref) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_refs(v, pk, ref) for v in value]
    return value


def scrub_thread_events(ctx: ErasureContext) -> None:
    """Stored events that name the member (a member reference in their data) get
    the anonymous reference instead."""
    member = ctx.member
    needles = {member.username, member.full_name, member.get_full_name()}
    needles.discard("")
    if not needles:
        return
    match = Q()
    for needle in needles:
        match |= Q(text__contains=needle)
    rows = (
        ThreadEvent.objects.annotate(text=Cast("data", TextField()))
        .filter(match)
        .only("pk", "data")
    )
    ref = ctx.anonymous_ref
    for event in rows.iterator(chunk_size=500):
        data = _replace_refs(event.data, member.pk, ref)
        if data != event.data:
            ThreadEvent.objects.filter(pk=event.pk).update(data=data)


def register() -> None:
    register_section(
        "discussions.comments",
        title=_("Comments"),
        export=export_comments,
        erase=erase_comments,
        order=30,
        stores=[
            Stored(
                "Comments with their stance and edit history; mentions of you",
                "the discussion itself",
                "until you delete them; after erasure they stay as “a former "
                "member”, text removed unless you chose to keep it anonymously",
            )
        ],
    )
    register_section(
        "discussions.reactions",
        title=_("Reactions"),
        export=export_reactions,
        order=31,
        stores=[
            Stored(
                "Reactions to comments",
                "to show which arguments members found convincing",
                "until you take them back; after erasure they stay counted, "
                "without you",
            )
        ],
    )
    register_section(
        "discussions.flags",
        title=_("Flags you raised"),
        export=export_flags,
        order=32,
        stores=[
            Stored(
                "Flags you raised and appeals you made, with their reasons",
                "moderation in the open",
                "as long as the comment exists; reasons removed on erasure",
            )
        ],
    )
    register_section(
        "discussions.appeals",
        title=_("Your appeals"),
        export=export_appeals,
        order=33,
    )
    register_section(
        "discussions.live_sessions",
        title=_("Live sessions you facilitated"),
        export=export_live_sessions,
        order=34,
        stores=[
            Stored(
                "Live sessions you facilitated and moderation decisions you made",
                "uses of a role are public",
                "permanently, with the name, also after erasure",
            )
        ],
    )
