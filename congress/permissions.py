"""Who may do what with congresses (docs/permissions.md, "Congress"). Reading is for
every signed-in member (delegates, their votes, items and dossiers are public within
the party); administrators of the national unit run congresses and record
decisions; delegates review and vote; role holders of a unit answer for it."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from deliberation.discussions.models import Thread
from deliberation.members.models import Role, RoleAssignment, Unit
from deliberation.members.permissions import has_role
from deliberation.members.viewer import Viewer, signed_in

from .models import Congress, CongressItem, Delegate


def national_unit() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("path", "id").first()


def can_read_congress(viewer: Viewer | None) -> bool:
    return signed_in(viewer)


def can_manage_congress(viewer: Viewer | None) -> bool:
    if not signed_in(viewer):
        return False
    if viewer.is_superuser:
        return True
    cache = viewer.__dict__.get("_torget_congress_admin")
    if cache is None:
        national = national_unit()
        cache = national is not None and has_role(viewer, national, Role.ADMIN)
        viewer.__dict__["_torget_congress_admin"] = cache
    return bool(cache)


def delegate_of(viewer: Viewer | None, congress: Congress | int) -> Delegate | None:
    if not signed_in(viewer):
        return None
    congress_id = congress if isinstance(congress, int) else congress.pk
    return (
        Delegate.objects.select_related("unit")
        .filter(congress_id=congress_id, member=viewer)
        .first()
    )


def answering_role(viewer: Viewer | None, unit: Unit) -> str | None:
    """The viewer's current role on exactly this unit (the body that answers), or
    None."""
    if not signed_in(viewer):
        return None
    return (
        RoleAssignment.objects.current(timezone.now())
        .filter(member=viewer, unit=unit)
        .order_by("role")
        .values_list("role", flat=True)
        .first()
    )


def can_post_followup(viewer: Viewer | None, item: CongressItem) -> bool:
    if can_manage_congress(viewer):
        return True
    if not signed_in(viewer):
        return False
    return item.proposal.authorships.filter(
        member=viewer, accepted_at__isnull=False
    ).exists()


# --- thread subject (registered in CongressConfig.ready) ------------------------------


def can_read_item_thread(viewer: Viewer | None, thread: Thread) -> bool:
    item = getattr(thread, "congress_item", None)
    return signed_in(viewer) and item is not None and item.proposal.is_published


def readable_item_threads(viewer: Viewer | None) -> Q:
    if not signed_in(viewer):
        return Q(pk__in=[])
    return Q(congress_item__proposal__published_at__isnull=False)


def is_public_item_thread(thread: Thread) -> bool:
    item = getattr(thread, "congress_item", None)
    return item is not None and item.proposal.is_published
