"""Writes for delegations: give (or replace, or renew), revoke, and the expiry
reminders. Not audited: delegating is a member's own choice, not a use of power —
but the graph is public to members (selectors.delegation_graph)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import NotAllowed, NotFound, ServiceError
from deliberation.members.models import Member, Membership, Unit
from proposals.models import Topic

from . import notices
from .models import MAX_TRUSTEES, Delegation, DelegationTrustee
from .selectors import policy_for_scope


def _member_of(member: Member | int, unit: Unit) -> bool:
    pk = member if isinstance(member, int) else member.pk
    return (
        Membership.objects.current()
        .filter(member_id=pk, unit__path__startswith=unit.path)
        .exists()
    )


def _check_trustees(
    truster: Member, trustees: Sequence[int], unit: Unit | None
) -> list[int]:
    ids = [int(t) for t in trustees]
    if not ids:
        raise ServiceError(_("Name at least one trustee."), code="no_trustee")
    if len(ids) > MAX_TRUSTEES:
        raise ServiceError(
            _("At most %(n)d trustees: one and up to %(f)d fallbacks.")
            % {"n": MAX_TRUSTEES, "f": MAX_TRUSTEES - 1},
            code="too_many_trustees",
        )
    if len(set(ids)) != len(ids):
        raise ServiceError(
            _("A trustee appears twice in the list."), code="duplicate_trustee"
        )
    if truster.pk in ids:
        raise ServiceError(
            _("You cannot delegate to yourself."), code="self_delegation"
        )
    found = set(
        Member.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )
    if set(ids) - found:
        raise ServiceError(_("There is no such member."), code="no_such_member")
    if unit is not None:
        inside = set(
            Membership.objects.current()
            .filter(member_id__in=ids, unit__path__startswith=unit.path)
            .values_list("member_id", flat=True)
        )
        if set(ids) - inside:
            raise ServiceError(
                _("Every trustee must be a member of %(unit)s.") % {"unit": unit.name},
                code="trustee_not_member",
            )
    return ids


def _expiry(unit: Unit | None, expires: datetime | None, now: datetime) -> datetime:
    days = policy_for_scope(unit=unit).delegation_days
    latest = now + timedelta(days=days)
    if expires is None:
        return latest
    if expires <= now:
        raise ServiceError(_("The expiry must be in the future."), code="expired")
    if expires > latest + timedelta(minutes=1):
        raise ServiceError(
            _("A delegation lasts at most %(days)d days here.") % {"days": days},
            code="too_long",
        )
    return min(expires, latest)


@transaction.atomic
def give_delegation(
    *,
    truster: Member,
    trustees: Sequence[int],
    unit: Unit | None = None,
    topic: Topic | None = None,
    expires: datetime | None = None,
) -> tuple[Delegation, bool]:
    """Delegate for a unit (and the units below it) or a topic to a ranked list of
    trustees. A delegation for the same scope is replaced (or, with the same list,
    renewed: it keeps its place under a cap). Returns (delegation, created)."""
    if (unit is None) == (topic is None):
        raise ServiceError(_("Give either a unit or a topic."), code="scope")
    Member.objects.select_for_update().filter(pk=truster.pk).first()  # one at a time
    if unit is not None:
        if not _member_of(truster, unit):
            raise NotAllowed(_("You can only delegate in units you are a member of."))
        if not policy_for_scope(unit=unit).delegation_allowed:
            raise ServiceError(
                _("The policy of %(unit)s does not allow delegation.")
                % {"unit": unit.name},
                code="delegation_not_allowed",
            )
    ids = _check_trustees(truster, trustees, unit)
    now = timezone.now()
    until = _expiry(unit, expires, now)
    current = (
        Delegation.objects.select_for_update()
        .filter(truster=truster, unit=unit, topic=topic, revoked_at__isnull=True)
        .first()
    )
    if current is not None:
        same = list(
            current.trustees.order_by("rank").values_list("trustee_id", flat=True)
        )
        if same == ids and current.expires > now:
            current.expires = until
            current.reminded_at = None
            current.save(update_fields=["expires", "reminded_at"])
            return current, False
        current.revoked_at = now
        current.save(update_fields=["revoked_at"])
        before = set(same) if current.expires > now else set()
    else:
        before = set()
    delegation = Delegation.objects.create(
        truster=truster, unit=unit, topic=topic, given=now, expires=until
    )
    DelegationTrustee.objects.bulk_create(
        [
            DelegationTrustee(delegation=delegation, rank=rank, trustee_id=t)
            for rank, t in enumerate(ids)
        ]
    )
    notices.received(delegation, [t for t in ids if t not in before])
    return delegation, True


def _own(truster: Member, delegation_id: int) -> Delegation:
    found = (
        Delegation.objects.select_for_update()
        .filter(pk=delegation_id, truster=truster, revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound(_("You have no such delegation."))
    return found


@transaction.atomic
def renew_delegation(*, truster: Member, delegation_id: int) -> Delegation:
    """Another full period from now (the policy's), keeping its place under a cap."""
    delegation = _own(truster, delegation_id)
    delegation.expires = timezone.now() + timedelta(
        days=policy_for_scope(unit=delegation.unit).delegation_days
    )
    delegation.reminded_at = None
    delegation.save(update_fields=["expires", "reminded_at"])
    return delegation


@transaction.atomic
def revoke_delegation(*, truster: Member, delegation_id: int) -> None:
    """At once: a poll closing from now on does not count it."""
    delegation = _own(truster, delegation_id)
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])


def revoke_scope(
    *, truster: Member, unit: Unit | None = None, topic: Topic | None = None
) -> bool:
    """Revoke the member's delegation for a scope; False if there was none."""
    found = Delegation.objects.filter(
        truster=truster, unit=unit, topic=topic, revoked_at__isnull=True
    ).values_list("pk", flat=True)
    pk = next(iter(found), None)
    if pk is None:
        return False
    revoke_delegation(truster=truster, delegation_id=pk)
    return True


def remind_days() -> int:
    return int(getattr(settings, "DELEGATION_REMIND_DAYS", 14))


def remind_expiring(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Every delegation that expires within DELEGATION_REMIND_DAYS and whose giver
    was not reminded yet: remind them once (a renewal clears the mark). Safe twice:
    each row is marked in the transaction that records its notification (keyed by
    delegation and expiry date), and rows locked by another run are skipped."""
    now = now or timezone.now()
    horizon = now + timedelta(days=remind_days())
    done = 0
    with transaction.atomic():
        rows = list(
            Delegation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("unit", "topic")
            .filter(
                revoked_at__isnull=True,
                reminded_at__isnull=True,
                expires__gt=now,
                expires__lte=horizon,
            )
            .order_by("expires", "id")[:limit]
        )
        if rows:
            Delegation.objects.filter(pk__in=[d.pk for d in rows]).update(
                reminded_at=now
            )
            notices.expiring(rows)
            done = len(rows)
    return done
