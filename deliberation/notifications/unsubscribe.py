"""One-click unsubscribe: a signed token names a member and a kind; using it turns
e-mail off for that kind (the notifications stay in Torget), without signing in."""

from __future__ import annotations

from deliberation.members.models import Member

from .kinds import kind_for
from .mail import read_unsubscribe_token
from .models import Channel, NotificationPreference
from .preferences import default_channel, preferences_of, set_channel


def unsubscribe(token: str) -> tuple[Member, str] | None:
    """Turn off e-mail for the token's kind; (member, kind), or None if invalid."""
    parsed = read_unsubscribe_token(token)
    if parsed is None:
        return None
    member_id, kind = parsed
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return None
    if kind.startswith("digest:"):  # a digest: every kind on that channel
        channel = kind.split(":", 1)[1]
        for item in preferences_of(member):
            if item["channel"] == channel:
                set_channel(member, item["kind"], Channel.IN_APP)
        return member, kind
    if kind_for(kind) is None:
        return None
    current = (
        NotificationPreference.objects.filter(member=member, kind=kind)
        .values_list("channel", flat=True)
        .first()
    ) or default_channel(kind)
    if current in (Channel.EMAIL, Channel.DAILY, Channel.WEEKLY):
        NotificationPreference.objects.update_or_create(
            member=member, kind=kind, defaults={"channel": Channel.IN_APP}
        )
    return member, kind
