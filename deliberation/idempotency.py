"""Create-once: a double click or a retried request never makes a duplicate.

Clients send a key with a create request — the API's `Idempotency-Key` header, or the
hidden `submission_key` field that every create form on the pages carries (a fresh key
per page load, `frontend.context_processors`). The first request with a key claims it
(a unique row per member and key) in the same transaction that creates the object; a
second one with the same key waits for the first to commit, then gets the object the
first one created. Requests without a key behave as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from deliberation.errors import Conflict
from deliberation.members.models import Member, SubmissionKey

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

T = TypeVar("T", bound=models.Model)
HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "submission_key"
_VALID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def request_key(request: HttpRequest | Request) -> str:
    """The key of this request ('' when none, or when it is malformed)."""
    key = request.META.get(HEADER) or request.POST.get(FORM_FIELD, "")
    key = (key or "").strip()
    return key if _VALID.match(key) else ""


def create_once(
    *, member: Member, key: str, model: type[T], create: Callable[[], T]
) -> tuple[T, bool]:
    """Run `create()` once per (member, key). Returns (object, created)."""
    if not key:
        return create(), True
    label = model._meta.label_lower
    try:
        with transaction.atomic():
            claim = SubmissionKey.objects.create(member=member, key=key, target=label)
            obj = create()
            claim.target_id = str(obj.pk)
            claim.save(update_fields=["target_id"])
            return obj, True
    except IntegrityError:
        earlier = SubmissionKey.objects.filter(member=member, key=key).first()
        if earlier is None or not earlier.target_id:
            raise  # the create itself broke a constraint: not a replay
    if earlier.target != label:
        raise Conflict(
            _("This submission key was already used for something else."),
            code="key_reused",
        )
    return model._default_manager.get(pk=earlier.target_id), False


def replay_headers(created: bool) -> dict[str, str]:
    """Marks an answer that repeats an earlier request's result."""
    return {} if created else {"Idempotent-Replayed": "true"}
