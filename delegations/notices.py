"""What delegations tell members: a trustee that someone gave them their vote
(`delegation_received`), a giver that their delegation expires soon
(`delegation_expiring`). Called after commit by the services."""

from __future__ import annotations

from collections.abc import Sequence


def received(delegation_id: int, trustees: Sequence[int]) -> None:
    """To each newly named trustee."""


def expiring(delegation_ids: Sequence[int]) -> None:
    """To each giver, once per delegation and period."""
