"""Amendment services, kept importable from their old place; they live in
`proposals/services/amendments.py` (import them from `proposals.services`)."""

from proposals.services.amendments import (
    accept_amendment,
    create_amendment,
    support_amendment,
    withdraw_amendment,
    withdraw_amendment_support,
)

__all__ = [
    "accept_amendment",
    "create_amendment",
    "support_amendment",
    "withdraw_amendment",
    "withdraw_amendment_support",
]
