"""Reactions on comments: one per member and kind (a database constraint), with
the counts kept on the comment and pushed live."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from deliberation.errors import Conflict, NotAllowed, ServiceError
from deliberation.members.models import Member

from .. import permissions as perms
from ..models import Comment, Reaction, ReactionKind
from ._common import _locked
from .threads import append_thread_event


def _validate_reaction(comment: Comment, member: Member, kind: str) -> None:
    if kind not in ReactionKind.values:
        raise ServiceError(
            _("Reaction must be one of: %s.") % ", ".join(ReactionKind.values),
            code="bad_kind",
        )
    if not perms.can_post_in_thread(member, comment.thread):
        raise NotAllowed(
            _("Only members of %(unit)s can react here.")
            % {"unit": comment.thread.unit.name}
        )
    if comment.deleted is not None or comment.hidden:
        raise Conflict(
            _("You cannot react to a deleted or hidden comment."), code="unavailable"
        )


def _recount(comment: Comment) -> None:
    counts = dict(
        Reaction.objects.filter(comment=comment)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    comment.reaction_counts = {
        k: counts[k] for k in ReactionKind.values if counts.get(k)
    }
    comment.reaction_total = sum(counts.values())
    comment.save(update_fields=["reaction_counts", "reaction_total"])
    append_thread_event(
        thread=comment.thread_id,
        type="reaction.changed",
        object_id=comment.pk,
        data={
            "id": comment.pk,
            "reactions": comment.reaction_counts,
            "total": comment.reaction_total,
        },
    )


@transaction.atomic
def add_reaction(
    *, comment: Comment, member: Member, kind: str
) -> tuple[Comment, bool]:
    """Set a reaction; setting it twice changes nothing (returns created=False)."""
    comment = _locked(comment)
    _validate_reaction(comment, member, kind)
    try:
        with transaction.atomic():
            Reaction.objects.create(comment=comment, member=member, kind=kind)
    except IntegrityError:
        return comment, False
    _recount(comment)
    return comment, True


@transaction.atomic
def remove_reaction(
    *, comment: Comment, member: Member, kind: str
) -> tuple[Comment, bool]:
    comment = _locked(comment)
    if kind not in ReactionKind.values:
        raise ServiceError(
            _("Reaction must be one of: %s.") % ", ".join(ReactionKind.values),
            code="bad_kind",
        )
    deleted, _n = Reaction.objects.filter(
        comment=comment, member=member, kind=kind
    ).delete()
    if deleted:
        _recount(comment)
    return comment, bool(deleted)


def toggle_reaction(*, comment: Comment, member: Member, kind: str) -> Comment:
    if Reaction.objects.filter(comment=comment, member=member, kind=kind).exists():
        return remove_reaction(comment=comment, member=member, kind=kind)[0]
    return add_reaction(comment=comment, member=member, kind=kind)[0]
