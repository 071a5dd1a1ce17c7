"""Who may do what with polls — plain predicates reused by the API, the pages and
the consumers.

* read a poll, its result and bulletin: any signed-in member (transparency);
* vote: a member on the poll's voter roll (frozen when it opened);
* open an advisory poll: a member of the unit (or of a unit below it).
"""

from __future__ import annotations

from deliberation.discussions.permissions import is_member
from deliberation.members.permissions import is_member_of


def can_read_poll(member, poll) -> bool:
    return is_member(member)


def can_create_advisory_poll(member, unit) -> bool:
    return bool(getattr(member, "is_authenticated", False)) and is_member_of(
        member, unit
    )


def can_vote(member, poll) -> bool:
    """On the roll (uses the `viewer_eligible` annotation when present)."""
    if not getattr(member, "is_authenticated", False):
        return False
    flag = getattr(poll, "viewer_eligible", None)
    if flag is not None:
        return bool(flag)
    from .models import VoterRoll

    return VoterRoll.objects.filter(poll=poll, member=member).exists()
