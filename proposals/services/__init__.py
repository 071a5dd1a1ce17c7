"""Writes for proposals, one module per concern. Each service validates, locks what it
changes (`locks.py`: proposal row first, then amendment, then thread), writes, and
schedules its live events after commit (`append_thread_event`).

    authoring.py   create, publish, edit, co-authors, withdraw
    support.py     support a proposal / take it back (the quorum)
    amendments.py  suggest, support, accept, withdraw an amendment
    schedule.py    advance due proposals; record a vote's result
    policies.py    a unit's own proposal policy
    locks.py       row locks in a fixed order (public: other apps lock the same way)
    _common.py     text validation, the state transition, revisions

State machine and schedule: docs/proposals.md. Import from here
(`from proposals.services import support_proposal`).
"""

from ._common import (
    BODY_MAX,
    CLAUSE_MAX,
    CLAUSES_MAX,
    COAUTHORS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    clean_text,
)
from .amendments import (
    accept_amendment,
    create_amendment,
    support_amendment,
    withdraw_amendment,
    withdraw_amendment_support,
)
from .authoring import (
    accept_coauthorship,
    create_proposal,
    decline_coauthorship,
    publish_proposal,
    update_proposal,
    withdraw_proposal,
)
from .locks import lock_amendment, lock_proposal
from .policies import (
    POLICY_FIELDS,
    adopt_rule_proposal,
    ensure_default_policy,
    record_lapsed_policies,
    set_unit_policy,
)
from .schedule import advance_due_proposals, record_vote_outcome
from .support import support_proposal, withdraw_support

__all__ = [
    "BODY_MAX",
    "CLAUSES_MAX",
    "CLAUSE_MAX",
    "COAUTHORS_MAX",
    "POLICY_FIELDS",
    "TITLE_MAX",
    "TITLE_MIN",
    "accept_amendment",
    "accept_coauthorship",
    "advance_due_proposals",
    "clean_text",
    "create_amendment",
    "create_proposal",
    "decline_coauthorship",
    "adopt_rule_proposal",
    "ensure_default_policy",
    "record_lapsed_policies",
    "lock_amendment",
    "lock_proposal",
    "publish_proposal",
    "record_vote_outcome",
    "set_unit_policy",
    "support_amendment",
    "support_proposal",
    "update_proposal",
    "withdraw_amendment",
    "withdraw_amendment_support",
    "withdraw_proposal",
    "withdraw_support",
]
