"""How a member appears in API answers and live events: `{"id", "username", "name"}`,
one spelling everywhere (proposals' authors, comment authors, moderators,
facilitators)."""

from __future__ import annotations

from typing import overload

from .models import Member


@overload
def member_ref(member: Member) -> dict: ...
@overload
def member_ref(member: Member | None) -> dict | None: ...
def member_ref(member: Member | None) -> dict | None:
    if member is None:
        return None
    return {"id": member.pk, "username": member.username, "name": member.display_name}
