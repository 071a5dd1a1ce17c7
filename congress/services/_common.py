"""Shared by the congress services: locks, text checks, the live event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from deliberation.discussions.services import append_thread_event
from deliberation.errors import NotFound

from ..models import Congress, CongressItem

TEXT_MAX = 5_000


def clean_optional(value: object, field: str, *, limit: int = TEXT_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Send a text.")]})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": limit}]})
    return value


def lock_congress(congress: Congress | int) -> Congress:
    pk = congress if isinstance(congress, int) else congress.pk
    found = Congress.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no such congress."))
    return found


def lock_item(congress: Congress, item: CongressItem | int) -> CongressItem:
    """The item of this congress, row-locked (an item of another congress is a 404
    here: it does not exist in this one)."""
    pk = item if isinstance(item, int) else item.pk
    found = (
        CongressItem.objects.select_for_update(of=("self",))
        .select_related("proposal", "proposal__unit")
        .filter(pk=pk, congress=congress)
        .first()
    )
    if found is None:
        raise NotFound(_("This congress has no such item."))
    return found


def push_item_event(item: CongressItem, type_: str, data: dict) -> None:
    """On the proposal's thread stream (where its page listens) and the item's own
    thread; stored with a seq, published after commit."""
    payload = {"item": item.pk, "congress": item.congress_id, **data}
    threads = {t for t in (item.proposal.thread_id, item.thread_id) if t is not None}
    for thread_id in sorted(threads):
        append_thread_event(
            thread=thread_id, type=type_, object_id=item.pk, data=payload
        )
