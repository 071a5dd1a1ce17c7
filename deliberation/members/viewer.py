"""Who is asking: the types of the member parameters of services, selectors and
permissions.

* `Member` — a signed-in member, for services (the actor of a write) and for
  views that require sign-in (`member_of(request)`);
* `Viewer` — whoever reads: `request.user` as Django and DRF give it, a member or
  the anonymous user. Predicates and selectors take a `Viewer` and answer "no" or
  nothing for the anonymous one (`signed_in` narrows a `Viewer` to a `Member`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

    from .models import Member

Viewer: TypeAlias = "Member | AnonymousUser"


def signed_in(viewer: Viewer | None) -> TypeGuard[Member]:
    """A signed-in account (not the anonymous user, not None)."""
    return viewer is not None and bool(viewer.is_authenticated)


def member_of(request: HttpRequest | Request) -> Member:
    """The signed-in member of a request (Django's or DRF's) to a view that requires
    sign-in; a 403 when there is none (the view's own login check comes first)."""
    user = request.user
    if not signed_in(user):
        raise PermissionDenied(_("Sign in to take part"))
    return user
