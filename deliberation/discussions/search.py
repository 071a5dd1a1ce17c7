"""Search providers for discussions (registered in DiscussionsConfig.ready with
deliberation/search): unit and amendment threads by title, and comments by text.

Read rules: a thread or a comment is found only where `readable_threads` lets the
viewer read it (every subject rule) and its subject is not private (a draft's thread
is never searched, not even by its authors);
hidden and deleted comments are never found by anyone — not their author, not a
moderator — so their text never reaches a snippet. A proposal's own thread is found
through the proposal (its title is the proposal's)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from deliberation.members.viewer import Viewer
from deliberation.search.registry import Hit
from deliberation.search.text import (
    SearchTerms,
    fallback_filter,
    fallback_rank,
    headlines,
    plain_snippet,
    rank,
    snippet,
    vector,
)

from . import permissions as perms
from .models import Comment, ThreadKind
from .selectors import public_readable_threads


def _threads(viewer: Viewer) -> Any:
    return public_readable_threads(viewer).exclude(kind=ThreadKind.PROPOSAL)


def thread_matches(viewer: Viewer, terms: SearchTerms) -> Any:
    if not perms.is_member(viewer):
        return None
    qs = _threads(viewer)
    if terms.postgres:
        doc = vector((F("title"), "A"))
        qs = qs.annotate(search_doc=doc, search_rank=rank(doc, terms)).filter(
            search_doc=terms.query
        )
    else:
        qs = qs.filter(fallback_filter(["title"], terms)).annotate(
            search_rank=fallback_rank([("title", 1.0)], terms)
        )
    return qs.annotate(search_date=Coalesce("last_activity", "created"))


def thread_hits(viewer: Viewer, ids: list[int], terms: SearchTerms) -> dict[int, Hit]:
    rows = (
        _threads(viewer)
        .filter(pk__in=ids)
        .select_related("unit")
        .annotate(**headlines(F("title"), terms))
    )
    return {
        t.pk: Hit(
            type="thread",
            id=t.pk,
            title=t.title,
            url=t.get_absolute_url(),
            snippet=snippet(t, t.title, terms)
            if terms.postgres
            else plain_snippet(t.title, terms.words),
            context=_("Discussion in %(unit)s") % {"unit": t.unit.name},
            date=t.last_activity or t.created,
        )
        for t in rows
    }


def _comments(viewer: Viewer) -> Any:
    return Comment.objects.filter(
        thread__in=public_readable_threads(viewer), hidden=False, deleted__isnull=True
    ).exclude(body="")


def comment_matches(viewer: Viewer, terms: SearchTerms) -> Any:
    if not perms.is_member(viewer):
        return None
    qs = _comments(viewer)
    if terms.postgres:
        qs = qs.filter(search_doc__vector=terms.query).annotate(
            search_rank=SearchRank(F("search_doc__vector"), terms.query)
        )
    else:
        qs = qs.filter(fallback_filter(["body"], terms)).annotate(
            search_rank=fallback_rank([("body", 0.4)], terms)
        )
    return qs.annotate(search_date=F("created"))


def comment_hits(viewer: Viewer, ids: list[int], terms: SearchTerms) -> dict[int, Hit]:
    rows = (
        _comments(viewer)
        .filter(pk__in=ids)
        .select_related("thread", "author")
        .annotate(**headlines(F("body"), terms))
    )
    return {
        c.pk: Hit(
            type="comment",
            id=c.pk,
            title=c.thread.title,
            url=f"/comments/{c.pk}/",
            snippet=snippet(c, c.body, terms),
            context=_("Comment by %(name)s") % {"name": c.author.display_name},
            date=c.created,
            extra={"author": c.author_id, "thread": c.thread_id},
        )
        for c in rows
    }
