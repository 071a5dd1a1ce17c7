"""The poll provider of the one search (deliberation/search; registered in
VotingConfig.ready): polls by title, for whoever may read polls
(`permissions.can_read_poll`: every member)."""

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

from .models import Poll
from .permissions import can_read_poll


def poll_matches(viewer: Viewer, terms: SearchTerms) -> Any:
    if not can_read_poll(viewer, None):
        return None
    qs = Poll.objects.all()
    if terms.postgres:
        doc = vector((F("title"), "A"))
        qs = qs.annotate(search_doc=doc, search_rank=rank(doc, terms)).filter(
            search_doc=terms.query
        )
    else:
        qs = qs.filter(fallback_filter(["title"], terms)).annotate(
            search_rank=fallback_rank([("title", 1.0)], terms)
        )
    return qs.annotate(search_date=F("opens"))


def poll_hits(viewer: Viewer, ids: list[int], terms: SearchTerms) -> dict[int, Hit]:
    if not can_read_poll(viewer, None):
        return {}
    rows = (
        Poll.objects.filter(pk__in=ids)
        .select_related("unit")
        .defer("seal_salt")
        .annotate(**headlines(F("title"), terms))
    )
    out = {}
    for poll in rows:
        state = {"closed": _("Closed"), "open": _("Open")}.get(
            poll.phase(), _("Counting")
        )
        out[poll.pk] = Hit(
            type="poll",
            id=poll.pk,
            title=poll.title,
            url=poll.get_absolute_url(),
            snippet=snippet(poll, poll.title, terms),
            context=f"{state} · {poll.unit.name}",
            date=poll.opens,
        )
    return out
