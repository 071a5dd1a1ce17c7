"""`GET /api/v1/notifications/`, `POST /api/v1/notifications/read/`,
`GET|PUT /api/v1/notification-preferences/`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.fields import IdField
from deliberation.inputs import query_bool
from deliberation.members.viewer import member_of
from deliberation.notifications import preferences, selectors, services
from deliberation.notifications.kinds import CHANNELS
from deliberation.notifications.models import Notification
from deliberation.notifications.payloads import notification_payload


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class ObjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    created = serializers.DateTimeField()
    read = serializers.BooleanField()
    text = serializers.CharField()
    url = serializers.CharField()
    actor = ActorSerializer(allow_null=True)
    object = ObjectSerializer()

    def to_representation(self, instance):
        return notification_payload(instance, self.context["request"].user)


class NotificationListView(generics.ListAPIView):
    """Your notifications, newest first (`?unread=1`: only unread), with `unread`
    (your unread count) next to the page."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = query_bool(self.request.query_params, "unread")
        return selectors.notifications_for(member_of(self.request), unread=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool)],
        responses={
            200: inline_serializer(
                "NotificationPage",
                fields={
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "unread": serializers.IntegerField(),
                    "results": NotificationSerializer(many=True),
                },
            )
        },
    )
    def get(self, request, *args, **kwargs):
        response = self.list(request, *args, **kwargs)
        response.data["unread"] = selectors.unread_count(member_of(request))
        return response


class ReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), required=False, max_length=1000)
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError(
                _('Give "ids" (a list of notification ids) or "all": true.')
            )
        return attrs


UNREAD = inline_serializer("UnreadCount", fields={"unread": serializers.IntegerField()})


class NotificationReadView(APIView):
    """Mark notifications read: `{"ids": [...]}` or `{"all": true}` → `{"unread"}`."""

    @extend_schema(request=ReadSerializer, responses={200: UNREAD})
    def post(self, request):
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unread = services.mark_read(
            member=member_of(request),
            ids=data.validated_data.get("ids"),
            all=data.validated_data["all"],
        )
        return Response({"unread": unread})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    channel = serializers.ChoiceField(choices=CHANNELS)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class NotificationPreferencesView(APIView):
    """Your channel per kind: `off`, `in_app`, `email` (at once), `daily` or `weekly`
    (digests). PUT takes the same list, or part of it; the rest stays."""

    json_top_level = (list, dict)  # the list, or {"results": [...]}

    @extend_schema(responses={200: PreferenceSerializer(many=True)})
    def get(self, request):
        return Response(preferences.preferences_of(member_of(request)))

    @extend_schema(
        request=PreferenceSerializer(many=True),
        responses={200: PreferenceSerializer(many=True)},
    )
    def put(self, request):
        body = request.data
        if isinstance(body, dict):
            body = body.get("results", body.get("preferences"))
        if not isinstance(body, list):
            raise serializers.ValidationError(
                {"detail": _('Send a list of {"kind", "channel"}.')}
            )
        data = PreferenceSerializer(data=body, many=True)
        data.is_valid(raise_exception=True)
        try:
            result = preferences.set_preferences(
                member_of(request), list(data.validated_data)
            )
        except ValidationError as exc:
            raise serializers.ValidationError({"detail": exc.messages}) from None
        return Response(result)
