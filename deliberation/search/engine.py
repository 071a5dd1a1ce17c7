"""Run one search over every registered provider: a single UNION of what each
provider matches (`search_type`, `search_id`, `search_rank`, `search_date`), ranked
in SQL and counted once, and the page's rows hydrated by their providers (one query
per kind on the page). Paginator-friendly: `count()` and slicing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import CharField, DateTimeField, F, FloatField, Value
from django.db.models.functions import Cast

from .registry import Hit, SearchProvider, provider_for, providers
from .text import SearchTerms, parse

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer

COLUMNS = ("search_type", "search_id", "search_rank", "search_date")


class SearchResults:
    """The hits for `viewer` and `q` (optionally one `type`), best first."""

    def __init__(self, viewer: Viewer, q: str | None, type: str | None = None):
        self.viewer = viewer
        self.terms: SearchTerms = parse(q)
        chosen = [provider_for(type)] if type else providers()
        self.providers: list[SearchProvider] = [p for p in chosen if p is not None]
        self._union: Any = None
        self._count: int | None = None

    def _parts(self) -> list[Any]:
        parts = []
        for provider in self.providers:
            qs = provider.matches(self.viewer, self.terms)
            if qs is None:
                continue
            parts.append(
                qs.order_by()
                .annotate(
                    search_type=Value(provider.type, output_field=CharField()),
                    search_id=F("pk"),
                    search_rank_f=Cast("search_rank", FloatField()),
                    search_date_d=Cast("search_date", DateTimeField()),
                )
                .values_list(
                    "search_type", "search_id", "search_rank_f", "search_date_d"
                )
            )
        return parts

    def union(self) -> Any:
        if self._union is None and not self.terms.empty:
            parts = self._parts()
            if parts:
                first, *rest = parts
                self._union = first.union(*rest, all=True) if rest else first
        return self._union

    def count(self) -> int:
        if self._count is None:
            union = self.union()
            self._count = 0 if union is None else union.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Hit]:
        if not isinstance(index, slice):
            raise TypeError("SearchResults only slices")
        union = self.union()
        if union is None:
            return []
        rows = list(
            union.order_by(
                "-search_rank_f", "-search_date_d", "search_type", "-search_id"
            )[index]
        )
        wanted: dict[str, list[int]] = {}
        for kind, pk, _rank, _date in rows:
            wanted.setdefault(kind, []).append(pk)
        found: dict[tuple[str, int], Hit] = {}
        for kind, ids in wanted.items():
            provider = provider_for(kind)
            if provider is None:
                continue
            for pk, hit in provider.hits(self.viewer, ids, self.terms).items():
                found[(kind, pk)] = hit
        # A row that vanished between the two queries is simply left out.
        return [found[(k, pk)] for k, pk, _r, _d in rows if (k, pk) in found]


def search(*, viewer: Viewer, q: str | None, type: str | None = None) -> SearchResults:
    return SearchResults(viewer, q, type)
