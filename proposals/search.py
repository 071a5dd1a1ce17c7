"""Full-text search: PostgreSQL with the Swedish and English configurations combined
(a stored `search_vector` with a GIN index, written by the services), a simple
`icontains` fallback on SQLite. See docs/proposals.md."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

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
