"""Demo data for `manage.py seed_demo`. Every area keeps its own in `<app>/demo.py` and
registers its seeders there with `@register_seeder(order=...)`; `seed_demo` imports the
`demo` module of every installed app (Django's `autodiscover_modules`, the way the admin
finds `admin.py`) and runs the seeders by `order`, each in its own transaction. The
core lists no app: an app brings its demo data by being installed. Every seeder must be
idempotent (running `seed_demo` twice changes nothing).

Orders in use: 10 members and units, 20 proposals (and topics), 30 discussions, 35
comments on proposal threads, 40 voting, 50 notifications, 60 congress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

SeedFunction = Callable[..., "str | None"]


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    seed: SeedFunction


_seeders: dict[str, Seeder] = {}


def register_seeder(
    *, order: int, name: str | None = None
) -> Callable[[SeedFunction], SeedFunction]:
    """Register `seed(*, stdout) -> str | None` (a one-line summary for the output).
    `name` defaults to the module's dotted path; registering a name again replaces
    it (a module imported twice registers once)."""

    def decorator(fn: SeedFunction) -> SeedFunction:
        key = name or fn.__module__
        _seeders[key] = Seeder(name=key, order=order, seed=fn)
        return fn

    return decorator


def discover_seeders() -> list[Seeder]:
    """Import every installed app's `demo` module; the registered seeders, in order."""
    autodiscover_modules("demo")
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))
