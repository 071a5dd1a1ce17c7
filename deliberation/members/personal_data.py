"""What Torget holds about a member, section by section — the registry every app fills
in its `AppConfig.ready` (the core never imports the apps), read by the data export,
the erasure and the retention pruner (docs/personal-data.md, README "Personal data").

An app registers, for each kind of personal data it stores:

* `register_section(name, title=…, export=…, erase=…, stores=…)`:
  - `export(member)` → an iterable of JSON-able dicts, produced lazily (querysets with
    `.iterator(chunk_size=…)`): the archive is written as it is read, so a member with
    100,000 comments costs no more memory than one with ten;
  - `erase(ctx)` anonymises or deletes the member's rows **in the current
    transaction** (the erasure of one member is one transaction: a crash leaves
    nothing half-done). `ctx` (`ErasureContext`) says whether the member chose to keep
    their comments' text anonymously, gives the anonymous reference that replaces them
    (`ctx.anonymous_ref`) and, for what must stay on the public record under their
    name (roles, uses of power, delegates' roll-call votes), `ctx.public_holder()`;
  - `stores`: `Stored(what, why, kept)` lines for the README's table of personal data
    (`personal_data_table()`; a test checks the README has every line).
* `register_pruner(name, prune, stores=…)`: `prune(now)` deletes operational records
  older than their setting allows (sign-in records, sessions, e-mail logs, old
  exports); run by the beat task `members.prune_personal_data`.

Sections are exported in `order` and erased in `order` too; the member row itself is
anonymised last (`deliberation/members/erasure.py`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .models import Member


@dataclass(frozen=True)
class Stored:
    """One line of the README's personal-data table (English, as the README)."""

    what: str
    why: str
    kept: str


class ErasureContext:
    """Handed to every section's eraser for one member, inside one transaction."""

    def __init__(self, *, member: Member, keep_comments: bool, now: datetime) -> None:
        self.member = member
        self.keep_comments = keep_comments
        self.now = now
        # The member row keeps its id (supports, participations and comments stay
        # counted), with this name instead of theirs.
        from .models import ERASED_PREFIX

        self.anonymous_username = f"{ERASED_PREFIX}{secrets.token_hex(6)}"
        self._holder: Member | None = None
        self._after_commit: list[Callable[[], None]] = []

    @property
    def anonymous_ref(self) -> dict:
        """How the member appears from now on wherever a member reference is stored
        (`members.payloads.member_ref` of the erased row)."""
        return {
            "id": self.member.pk,
            "username": self.anonymous_username,
            "name": str(FORMER_MEMBER),
        }

    def public_holder(self) -> Member:
        """A separate, sign-in-less member row carrying only the member's name, for
        what stays on the public record (roles, audit entries, moderation decisions,
        delegates' votes). Separate so that nothing links that record to the
        anonymous comments, supports and participations of the erased row."""
        from .models import Member

        if self._holder is None:
            holder = Member(
                username=f"public-{secrets.token_hex(6)}",
                full_name=self.member.display_name,
                is_active=False,
                erased_at=None,
            )
            holder.set_unusable_password()
            holder.save()
            self._holder = holder
        return self._holder

    @property
    def holder(self) -> Member | None:
        return self._holder

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the erasure has committed (cache and index clean-up)."""
        self._after_commit.append(fn)


FORMER_MEMBER = _("a former member")

Exporter = Callable[["Member"], Iterable[dict[str, Any]]]
Eraser = Callable[[ErasureContext], None]
Pruner = Callable[[datetime], int]


@dataclass(frozen=True)
class Section:
    name: str  # unique, also the file name in the archive: "discussions.comments"
    title: str | Promise
    export: Exporter | None = None
    erase: Eraser | None = None
    stores: tuple[Stored, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class PrunerEntry:
    name: str
    prune: Pruner
    stores: tuple[Stored, ...] = field(default_factory=tuple)


_sections: dict[str, Section] = {}
_pruners: dict[str, PrunerEntry] = {}


def register_section(
    name: str,
    *,
    title: str | Promise,
    export: Exporter | None = None,
    erase: Eraser | None = None,
    stores: Iterable[Stored] = (),
    order: int = 100,
) -> None:
    """Register (or replace, by name) one section of a member's personal data."""
    _sections[name] = Section(
        name=name,
        title=title,
        export=export,
        erase=erase,
        stores=tuple(stores),
        order=order,
    )


def register_pruner(name: str, prune: Pruner, *, stores: Iterable[Stored] = ()) -> None:
    """Register a retention job: `prune(now)` deletes what is older than its setting
    allows and returns how many rows (or files) it removed."""
    _pruners[name] = PrunerEntry(name=name, prune=prune, stores=tuple(stores))


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def pruners() -> list[PrunerEntry]:
    return sorted(_pruners.values(), key=lambda p: p.name)


def stored_kinds() -> list[Stored]:
    """Every kind of personal data registered, in section order, without repeats."""
    seen: dict[tuple[str, str, str], Stored] = {}
    for section in sections():
        for item in section.stores:
            seen.setdefault((item.what, item.why, item.kept), item)
    for pruner in pruners():
        for item in pruner.stores:
            seen.setdefault((item.what, item.why, item.kept), item)
    return list(seen.values())


def personal_data_table() -> str:
    """The README's table (`python manage.py personal_data_table` prints it)."""
    lines = ["| what | why | how long |", "|---|---|---|"]
    lines += [f"| {s.what} | {s.why} | {s.kept} |" for s in stored_kinds()]
    return "\n".join(lines)
