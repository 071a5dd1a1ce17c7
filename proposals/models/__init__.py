"""Proposals, their revisions, authors, support, amendments, policies and state history.

    policies.py    Topic, Policy (+ Majority, BallotKind)
    proposals.py   Proposal, ProposalAuthor, Revision, Support, StateChange, State,
                   Cause
    amendments.py  Amendment, AmendmentSupport, AmendmentState

States (DESIGN.md §3, docs/proposals.md):
draft → gathering_support → discussion → frozen → voting → adopted | rejected,
plus withdrawn and expired. Transitions are services in `proposals/services/`.
Import from here (`from proposals.models import Proposal`).
"""

from .amendments import Amendment, AmendmentState, AmendmentSupport
from .climbs import Climb
from .policies import BallotKind, Majority, Policy, PolicySource, Topic
from .proposals import (
    CLIMBING_STATES,
    EDITABLE_STATES,
    OPEN_STATES,
    SCHEDULED_STATES,
    SUPPORTABLE_STATES,
    Cause,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    ProposalQuerySet,
    Revision,
    State,
    StateChange,
    Support,
)

__all__ = [
    "CLIMBING_STATES",
    "Climb",
    "EDITABLE_STATES",
    "OPEN_STATES",
    "SCHEDULED_STATES",
    "SUPPORTABLE_STATES",
    "Amendment",
    "AmendmentState",
    "AmendmentSupport",
    "BallotKind",
    "Cause",
    "Majority",
    "Policy",
    "PolicySource",
    "ProposalKind",
    "Proposal",
    "ProposalAuthor",
    "ProposalQuerySet",
    "Revision",
    "State",
    "StateChange",
    "Support",
    "Topic",
]
