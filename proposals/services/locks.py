"""Row locks for proposal writes, always taken in the same order so two services can
never deadlock each other: the proposal row first, then its amendment, then the thread
or comment (`deliberation.discussions`). Every service that changes a proposal or an
amendment starts here (as Saleor keeps `lock_objects.py`)."""

from __future__ import annotations

from deliberation.members.models import Unit

from ..models import Amendment, Proposal


def lock_proposal(proposal: Proposal | int) -> Proposal:
    """The proposal row, locked for this transaction (with its unit). The unit is
    read after the lock, not joined into it: a climb changes `unit` while others
    wait, and PostgreSQL re-checks a joined lock against the updated row — the
    waiters would find no proposal at all (and the unit row was locked too)."""
    pk = proposal if isinstance(proposal, int) else proposal.pk
    locked = Proposal.objects.select_for_update().get(pk=pk)
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    return locked


def lock_amendment(amendment: Amendment | int) -> tuple[Proposal, Amendment]:
    """The amendment's proposal, then the amendment, both locked (in that order)."""
    pk = amendment if isinstance(amendment, int) else amendment.pk
    proposal_id = Amendment.objects.values_list("proposal_id", flat=True).get(pk=pk)
    proposal = lock_proposal(proposal_id)
    return proposal, Amendment.objects.select_for_update().get(pk=pk)
