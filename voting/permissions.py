"""Who may do what with polls — plain predicates reused by the API, the pages and
the consumers.

* read a poll, its result and bulletin: any signed-in member (transparency);
* vote: a member on the poll's voter roll (frozen when it opened);
* open an advisory poll: a member of the unit (or of a unit below it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deliberation.discussions.permissions import is_member
from deliberation.members.permissions import is_member_of
from deliberation.members.viewer import Viewer, signed_in

if TYPE_CHECKING:
    from deliberation.members.models import Unit

    from .models import Poll


def can_read_poll(member: Viewer | None, poll: Poll | None) -> bool:
    """`poll=None` asks about polls in general (the list)."""
    return is_member(member)


def can_create_advisory_poll(member: Viewer | None, unit: Unit) -> bool:
    return signed_in(member) and is_member_of(member, unit)


def can_vote(member: Viewer | None, poll: Poll) -> bool:
    """On the roll (uses the `viewer_eligible` annotation when present)."""
    if not signed_in(member):
        return False
    flag = getattr(poll, "viewer_eligible", None)
    if flag is not None:
        return bool(flag)
    from .models import VoterRoll

    return VoterRoll.objects.filter(poll=poll, member=member).exists()
