"""Who may see what of delegations. The graph (who trusts whom, who carries how
much) is public to members — like the open ballots it feeds; giving, renewing and
revoking are a member's own business (the services check the scope's rules)."""

from __future__ import annotations

from deliberation.discussions.permissions import is_member
from deliberation.members.viewer import Viewer


def can_see_graph(viewer: Viewer | None) -> bool:
    return is_member(viewer)


def can_delegate(viewer: Viewer | None) -> bool:
    return is_member(viewer)
