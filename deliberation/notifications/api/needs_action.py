"""`GET /api/v1/needs-action/` — what waits for you this week, soonest first
(deliberation/notifications/needs_action.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.discussions.permissions import is_member
from deliberation.inputs import query_int
from deliberation.notifications.needs_action import needs_action_for

MAX_DAYS = 31

ITEM = inline_serializer(
    "NeedsActionItem",
    fields={
        "kind": serializers.CharField(),
        "deadline": serializers.DateTimeField(allow_null=True),
        "text": serializers.CharField(),
        "action": serializers.CharField(),
        "title": serializers.CharField(),
        "url": serializers.CharField(),
        "object": inline_serializer(
            "NeedsActionObject",
            fields={"type": serializers.CharField(), "id": serializers.IntegerField()},
        ),
    },
    many=True,
)


class NeedsActionView(APIView):
    """What you can act on now, across every unit you belong to: polls to vote in,
    proposals near their quorum to support, invitations, replies to you, live
    sessions — soonest deadline first. `days` (1–31, default 7) widens the window.
    Members only."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days", {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}
            )
        ],
        responses={200: ITEM},
    )
    def get(self, request):
        if not is_member(request.user):
            raise PermissionDenied(_("Only members have things to act on."))
        days = query_int(
            request.query_params, "days", minimum=1, maximum=MAX_DAYS, default=7
        )
        until = timezone.now() + timedelta(days=days)
        return Response(
            [item.as_dict() for item in needs_action_for(request.user, until)]
        )
