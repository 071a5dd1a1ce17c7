"""Full-text search: PostgreSQL with the Swedish and English configurations combined
(a stored `search_vector` with a GIN index, written by the services), a simple
`icontains` fallback on SQLite. See docs/proposals.md."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.expressions import CombinedExpression, RawSQL
from django.db.models.functions import Cast, Concat

from deliberation.search.registry import Hit
from deliberation.search.text import (
    SearchTerms,
    fallback_filter,
    fallback_rank,
    headlines,
    snippet,
)

CONFIGS = ("swedish", "english")


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_vector_expression() -> SearchVector | CombinedExpression | None:
    """Title and clauses weigh most (A), the rationale less (B); both languages."""
    vector: SearchVector | CombinedExpression | None = None
    for config in CONFIGS:
        for expr, weight in (
            (F("title"), "A"),
            (Cast("clauses", TextField()), "A"),
            (F("body"), "B"),
        ):
            part = SearchVector(expr, config=config, weight=weight)
            vector = part if vector is None else vector + part
    return vector


def refresh_search_vector(queryset: QuerySet) -> None:
    if uses_postgres():
        queryset.update(search_vector=search_vector_expression())


def search_query(q: str):
    query = None
    for config in CONFIGS:
        part = SearchQuery(q, search_type="websearch", config=config)
        query = part if query is None else query | part
    return query


def title_query(words: list[str]):
    """Any of `words` (letters and digits only) among the A-weighted lexemes — title
    and clauses — in both configurations."""
    raw = " | ".join(f"{w}:A" for w in words)
    query = None
    for config in CONFIGS:
        part = SearchQuery(raw, search_type="raw", config=config)
        query = part if query is None else query | part
    return query


def apply_search(queryset: QuerySet, q: str, *, rank: bool = False) -> QuerySet:
    q = (q or "").replace("\x00", "").strip()[:200]
    if not q:
        return queryset
    if uses_postgres():
        query = search_query(q)
        queryset = queryset.filter(search_vector=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(F("search_vector"), query))
        return queryset
    for word in q.split()[:8]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(body__icontains=word)
            | Q(clauses__icontains=word)
        )
    return queryset


# --- the proposal provider of the one search (deliberation/search) -----------------


def _clauses_text() -> RawSQL:
    """The clauses as one text (PostgreSQL), for the snippet."""
    return RawSQL(
        "array_to_string(ARRAY(SELECT jsonb_array_elements_text("
        "proposals_proposal.clauses)), ' ')",
        (),
        output_field=TextField(),
    )


def proposal_matches(viewer, terms: SearchTerms):
    """Published proposals only: a draft is never a search hit, for anyone."""
    from .models import Proposal

    qs = Proposal.objects.published()
    if terms.postgres:
        qs = qs.filter(search_vector=terms.query).annotate(
            search_rank=SearchRank(F("search_vector"), terms.query)
        )
    else:
        qs = qs.filter(fallback_filter(["title", "body", "clauses"], terms)).annotate(
            search_rank=fallback_rank(
                [("title", 1.0), ("clauses", 0.8), ("body", 0.4)], terms
            )
        )
    return qs.annotate(search_date=F("published_at"))


def proposal_hits(viewer, ids: list[int], terms: SearchTerms) -> dict[int, Hit]:
    from .models import Proposal

    qs = Proposal.objects.published().filter(pk__in=ids).select_related("unit")
    qs = qs.defer("search_vector", "body_html")
    if terms.postgres:
        qs = qs.annotate(
            **headlines(
                Concat(
                    _clauses_text(), Value(" "), F("body"), output_field=TextField()
                ),
                terms,
            )
        )
    out = {}
    for p in qs:
        text = " ".join([*p.clauses, p.body])
        out[p.pk] = Hit(
            type="proposal",
            id=p.pk,
            title=p.title,
            url=f"/proposals/{p.pk}/",
            snippet=snippet(p, text, terms),
            context=f"{p.get_state_display()} · {p.unit.name}",
            date=p.published_at,
        )
    return out
