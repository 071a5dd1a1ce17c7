"""Search terms and the building blocks providers use: PostgreSQL full text with the
Swedish and English configurations (websearch syntax), a plain `icontains` fallback
elsewhere (SQLite under `make run`), ranks, and snippets highlighted safely — the
text is escaped and only our own `<mark>` tags are added."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Case, FloatField, Q, Value, When
from django.db.models.expressions import Combinable
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIGS = ("swedish", "english")
MAX_QUERY = 200
MAX_WORDS = 8
# Markers ts_headline puts around matches: private-use characters, so that after
# escaping the text they are the only thing turned into tags.
START, STOP = "\ue000", "\ue001"
SNIPPET_CHARS = 220

# Function words of both languages: never worth matching on their own (the PostgreSQL
# configurations drop them too; the fallback and "similar proposals" need the list).
STOPWORDS = frozenset(
    [
        "att",
        "och",
        "i",
        "på",
        "för",
        "med",
        "som",
        "en",
        "ett",
        "är",
        "av",
        "till",
        "det",
        "den",
        "de",
        "om",
        "har",
        "inte",
        "vi",
        "ska",
        "kan",
        "alla",
        "men",
        "så",
        "sig",
        "från",
        "eller",
        "vid",
        "under",
        "över",
        "efter",
        "utan",
        "mot",
        "nu",
        "då",
        "där",
        "här",
        "hur",
        "vad",
        "vilka",
        "vilken",
        "vem",
        "var",
        "vår",
        "våra",
        "vårt",
        "mer",
        "mest",
        "fler",
        "flest",
        "än",
        "också",
        "bara",
        "även",
        "ha",
        "hade",
        "blir",
        "blev",
        "bli",
        "skulle",
        "sin",
        "sitt",
        "sina",
        "dem",
        "deras",
        "han",
        "hon",
        "hen",
        "man",
        "mig",
        "dig",
        "oss",
        "er",
        "ni",
        "jag",
        "du",
        "åt",
        "in",
        "ut",
        "upp",
        "ner",
        "inom",
        "genom",
        "mellan",
        "hos",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "as",
        "is",
        "are",
        "be",
        "by",
        "at",
        "from",
        "it",
        "this",
        "that",
        "not",
        "we",
        "our",
        "you",
        "your",
        "they",
        "their",
        "was",
        "were",
        "will",
        "can",
        "should",
        "would",
        "has",
        "have",
        "had",
        "do",
        "does",
        "all",
        "any",
        "more",
        "most",
        "some",
        "such",
        "than",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
    ]
)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def clean_query(q: str | None) -> str:
    return (q or "").replace("\x00", "").strip()[:MAX_QUERY]


def words_of(text: str, *, limit: int = MAX_WORDS, min_len: int = 2) -> list[str]:
    """The distinct words of `text` (letters and digits), stop words left out."""
    out: list[str] = []
    for word in re.findall(r"\w+", text.casefold()):
        if len(word) >= min_len and word not in STOPWORDS and word not in out:
            out.append(word)
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class SearchTerms:
    q: str
    words: list[str] = field(default_factory=list)
    postgres: bool = False

    @property
    def empty(self) -> bool:
        return not self.q or (not self.postgres and not self.words)

    @property
    def query(self) -> Any:
        """Both configurations OR-ed (PostgreSQL only)."""
        query: Any = None
        for config in CONFIGS:
            part = SearchQuery(self.q, search_type="websearch", config=config)
            query = part if query is None else query | part
        return query


def parse(q: str | None) -> SearchTerms:
    text = clean_query(q)
    return SearchTerms(q=text, words=words_of(text), postgres=uses_postgres())


def vector(*weighted: tuple[Any, str]) -> Any:
    """A search vector over (expression, weight) pairs in both configurations,
    computed on the fly (for small tables; large ones store theirs)."""
    out: Any = None
    for config in CONFIGS:
        for expr, weight in weighted:
            part = SearchVector(expr, config=config, weight=weight)
            out = part if out is None else out + part
    return out


def rank(vector_expr: Any, terms: SearchTerms) -> SearchRank:
    return SearchRank(vector_expr, terms.query)


def fallback_filter(fields: list[str], terms: SearchTerms) -> Q:
    """Every word in one of `fields` (case-insensitive substring)."""
    q = Q()
    for word in terms.words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        q &= any_field
    return q


def fallback_rank(weighted: list[tuple[str, float]], terms: SearchTerms) -> Combinable:
    """A token-overlap score: for each word, the weight of each field containing it."""
    score: Combinable = Value(0.0, output_field=FloatField())
    for word in terms.words:
        for name, weight in weighted:
            score = score + Case(
                When(**{f"{name}__icontains": word}, then=Value(weight)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return score


def headlines(expression: Any, terms: SearchTerms) -> dict[str, SearchHeadline]:
    """Annotations `snippet_swedish`, `snippet_english` (PostgreSQL): the best
    fragments of `expression` with the matches between START and STOP."""
    if not terms.postgres:
        return {}
    return {
        f"snippet_{config}": SearchHeadline(
            expression,
            terms.query,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        for config in CONFIGS
    }


def _collapse(text: str) -> str:
    """One line of plain text: Markdown's link syntax and emphasis marks dropped
    (snippets show words, not markup), whitespace collapsed."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text or "")
    text = re.sub(r"(\*\*|__|\*|`+|^#+\s)", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def _from_markers(text: str) -> SafeString:
    """Escape everything, then turn START…STOP pairs into <mark>; strays vanish."""
    escaped = escape(_collapse(text))
    marked = re.sub(f"{START}(.*?){STOP}", r"<mark>\1</mark>", escaped, flags=re.S)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308


def plain_snippet(text: str, words: list[str]) -> SafeString:
    """Around the first of `words` in `text` (case-insensitive), each occurrence
    marked; the start of the text when none occurs. Escaped."""
    text = _collapse(text.replace(START, "").replace(STOP, ""))
    if not text:
        return mark_safe("")
    pattern = (
        re.compile(
            "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I
        )
        if words
        else None
    )
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    window = text[start : start + SNIPPET_CHARS]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(window[last:]))
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308


def snippet(row: Any, text: str, terms: SearchTerms) -> SafeString:
    """The PostgreSQL headline that found something (see `headlines`), else a plain
    snippet of `text`."""
    for config in CONFIGS:
        found = getattr(row, f"snippet_{config}", None)
        if found and START in found:
            return _from_markers(found)
    return plain_snippet(text, terms.words)
