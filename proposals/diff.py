"""Word-level differences between two texts, for revisions and amendments."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> list[list[str]]:
    """[[op, text], ...] with op in equal | insert | delete, covering both texts."""
    a, b = tokens(old), tokens(new)
    out: list[list[str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(a[i1:i2]))
        else:
            push("delete", "".join(a[i1:i2]))
            push("insert", "".join(b[j1:j2]))
    return out


def diff_html(ops: list[list[str]]) -> str:
    parts = []
    for op, text in ops:
        if op == "insert":
            parts.append(f"<ins>{escape(text)}</ins>")
        elif op == "delete":
            parts.append(f"<del>{escape(text)}</del>")
        else:
            parts.append(escape(text))
    return mark_safe("".join(parts))  # noqa: S308 — every piece is escaped above


def revision_diff(old, new) -> dict:
    """Diff two revisions: title, rationale and the clauses (numbered; a clause
    present in one only is diffed against the empty text)."""
    old_clauses, new_clauses = list(old.clauses), list(new.clauses)
    n = max(len(old_clauses), len(new_clauses))
    old_clauses += [""] * (n - len(old_clauses))
    new_clauses += [""] * (n - len(new_clauses))
    return {
        "from": old.number,
        "to": new.number,
        "title": word_diff(old.title, new.title),
        "body": word_diff(old.body, new.body),
        "clauses": [
            word_diff(o, c) for o, c in zip(old_clauses, new_clauses, strict=True)
        ],
    }
