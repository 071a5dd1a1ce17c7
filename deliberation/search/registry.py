"""What can be searched: apps register a provider per kind of hit.

    register_search_provider(
        "proposal",
        label=_("Proposals"),
        matches=lambda viewer, terms: QuerySet,   # readable rows that match, annotated
                                                  # `search_rank` (float) and
                                                  # `search_date` (datetime)
        hits=lambda viewer, ids, terms: {id: Hit},  # one query for a page of ids
        order=10,
        singular=_("Proposal"),   # optional: the name of one hit on the page
    )

`matches` must apply the same read rule as the app's pages (drafts, hidden comment
text and unreadable threads never match); `hits` is only asked about ids `matches`
returned. A provider whose `matches` returns `None` has nothing for this viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    title: str
    url: str
    snippet: SafeString
    context: str = ""  # e.g. the unit or the thread it is in, plain text
    date: Any = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchProvider:
    type: str
    label: Any  # a (lazy) translated plural name, for the filter on the page
    matches: Callable[..., Any]
    hits: Callable[..., dict[int, Hit]]
    order: int = 50
    singular: Any = None  # the name of one hit ("Proposal"); the label if not given

    @property
    def one(self) -> Any:
        return self.singular if self.singular is not None else self.label


_providers: dict[str, SearchProvider] = {}


def register_search_provider(
    type: str,
    *,
    label: Any,
    matches: Callable[..., Any],
    hits: Callable[..., dict[int, Hit]],
    order: int = 50,
    singular: Any = None,
) -> None:
    """Register (or replace, on a re-import) the provider of one kind of hit;
    `singular` names one hit on the search page (else `label`)."""
    _providers[type] = SearchProvider(
        type=type,
        label=label,
        matches=matches,
        hits=hits,
        order=order,
        singular=singular,
    )


def providers() -> list[SearchProvider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.type))


def provider_for(type: str) -> SearchProvider | None:
    return _providers.get(type)


def registered_types() -> list[str]:
    return [p.type for p in providers()]
