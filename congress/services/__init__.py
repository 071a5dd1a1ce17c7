"""Writes for congresses, one module per concern (docs/congress.md):

congresses.py  create a congress, record its delegates, close it
forwarding.py  proposals arriving as items (hooks and the sweep), snapshots
votes.py       reviews, roll-call delegate votes, the decision
answers.py     bodies' responses per clause, "answer overdue"
followups.py   implementation status with dated updates
sweep.py       the beat task's work: forward what was missed, mark overdue
"""

from .answers import mark_overdue_answers, publish_response
from .congresses import close_congress, create_congress, record_delegate
from .followups import post_followup
from .forwarding import forward_missed, forward_proposal, national_quorum
from .votes import cast_delegate_vote, record_decision, review_item

__all__ = [
    "cast_delegate_vote",
    "close_congress",
    "create_congress",
    "forward_missed",
    "forward_proposal",
    "mark_overdue_answers",
    "national_quorum",
    "post_followup",
    "publish_response",
    "record_decision",
    "record_delegate",
    "review_item",
]
