"""Create-once: a double click or a retried request never makes a duplicate.

Clients send a key with a create request — the API's `Idempotency-Key` header, or the
hidden `submission_key` field that every create form on the pages carries (a fresh key
per page load, `frontend.context_processors`). The first request with a key claims it
(a unique row per member and key) in the same transaction that creates the object; a
second one with the same key waits for the first to commit, then gets the object the
first one created. Requests without a key behave as before.

A key means one request: an API replay must be the same method, path and body
(compared by a SHA-256 fingerprint stored with the claim). The same key on another
endpoint, or with another body, answers 422 `key_reused` — a client bug to surface, not
a reason to hand back an object the client did not ask for (as payment APIs do).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request

from deliberation.errors import Unprocessable
from deliberation.members.models import Member, SubmissionKey

if TYPE_CHECKING:
    from django.http import HttpRequest

T = TypeVar("T", bound=models.Model)
HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "submission_key"
_VALID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class RequestKey(str):
    """A key, carrying the fingerprint of the API request that sent it."""

    fingerprint: str = ""


def fingerprint_of(request: Request) -> str:
    """SHA-256 of method, path and parsed body of a DRF request."""
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = dict(data.lists())
    blob = json.dumps(
        [request.method, request.path, data],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def request_key(request: HttpRequest | Request) -> str:
    """The key of this request ('' when none, or when it is malformed). For the API's
    header it carries the request's fingerprint (`RequestKey`)."""
    header = (request.META.get(HEADER) or "").strip()
    if header:
        if not _VALID.match(header):
            return ""
        key = RequestKey(header)
        if isinstance(request, Request):  # the API (pages send form keys)
            key.fingerprint = fingerprint_of(request)
        return key
    form_key = (request.POST.get(FORM_FIELD, "") or "").strip()
    return form_key if _VALID.match(form_key) else ""


def create_once(
    *, member: Member, key: str, model: type[T], create: Callable[[], T]
) -> tuple[T, bool]:
    """Run `create()` once per (member, key). Returns (object, created)."""
    if not key:
        return create(), True
    label = model._meta.label_lower
    fingerprint = getattr(key, "fingerprint", "")
    try:
        with transaction.atomic():
            claim = SubmissionKey.objects.create(
                member=member, key=key, target=label, fingerprint=fingerprint
            )
            obj = create()
            claim.target_id = str(obj.pk)
            claim.save(update_fields=["target_id"])
            return obj, True
    except IntegrityError:
        earlier = SubmissionKey.objects.filter(member=member, key=key).first()
        if earlier is None or not earlier.target_id:
            raise  # the create itself broke a constraint: not a replay
    if earlier.target != label or (
        earlier.fingerprint and fingerprint and earlier.fingerprint != fingerprint
    ):
        raise Unprocessable(
            _(
                "This key was already used for a different request; send a new key "
                "for a new request."
            ),
            code="key_reused",
        )
    return model._default_manager.get(pk=earlier.target_id), False


def replay_headers(created: bool) -> dict[str, str]:
    """Marks an answer that repeats an earlier request's result."""
    return {} if created else {"Idempotent-Replayed": "true"}
