"""The congress provider of the one search (deliberation/search; registered in
CongressConfig.ready): congress items by their proposal's title, for whoever may
read congresses (every member)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from deliberation.members.viewer import Viewer
from deliberation.search.registry import Hit
from deliberation.search.text import (
    SearchTerms,
    fallback_filter,
    fallback_rank,
    headlines,
    rank,
    snippet,
    vector,
)

from .models import CongressItem
from .permissions import can_read_congress


def item_matches(viewer: Viewer, terms: SearchTerms) -> Any:
    if not can_read_congress(viewer):
        return None
    qs = CongressItem.objects.filter(proposal__published_at__isnull=False)
    if terms.postgres:
        doc = vector((F("proposal__title"), "A"))
        qs = qs.annotate(search_doc=doc, search_rank=rank(doc, terms)).filter(
            search_doc=terms.query
        )
    else:
        qs = qs.filter(fallback_filter(["proposal__title"], terms)).annotate(
            search_rank=fallback_rank([("proposal__title", 1.0)], terms)
        )
    return qs.annotate(search_date=F("forwarded_at"))


def item_hits(viewer: Viewer, ids: list[int], terms: SearchTerms) -> dict[int, Hit]:
    if not can_read_congress(viewer):
        return {}
    rows = (
        CongressItem.objects.filter(pk__in=ids)
        .select_related("congress", "proposal")
        .annotate(**headlines(F("proposal__title"), terms))
    )
    out = {}
    for item in rows:
        out[item.pk] = Hit(
            type="congress_item",
            id=item.pk,
            title=item.proposal.title,
            url=item.get_absolute_url(),
            snippet=snippet(item, item.proposal.title, terms),
            context=_("Congress item · %(congress)s")
            % {"congress": item.congress.name},
            date=item.forwarded_at,
        )
    return out
