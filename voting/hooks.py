"""Voting's answer to proposals' hooks (proposals never import voting)."""

from __future__ import annotations


def proposal_entered_voting(*, proposal, at) -> None:
    """In the transaction that moves the proposal to `voting`: open (or join) the
    poll of its ballot group, so a proposal is never in the vote without a poll."""
    from .services import open_proposal_poll

    open_proposal_poll(proposal=proposal, at=at)
