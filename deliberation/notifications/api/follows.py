"""`GET|POST|DELETE /api/v1/follows/` — what you follow (for notifications)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.fields import IdField
from deliberation.api.schema import id_parameter
from deliberation.inputs import query_choice
from deliberation.members.viewer import member_of
from deliberation.notifications import services
from deliberation.notifications.models import Follow, FollowTarget


class FollowSerializer(serializers.ModelSerializer):
    target_kind = serializers.ChoiceField(choices=FollowTarget.choices)
    target_id = IdField()

    class Meta:
        model = Follow
        fields = ["id", "target_kind", "target_id", "created"]
        read_only_fields = ["id", "created"]


ALIASES = {"target_kind": ("kind", "target_type"), "target_id": ("object_id", "target")}


def _normalised(data) -> dict:
    """`{"target_kind", "target_id"}`; `kind`/`target_type` and `object_id`/`target`
    are accepted as the same."""
    out = {
        k: data.get(k) for k in ("target_kind", "target_id") if data.get(k) is not None
    }
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if key not in out and data.get(alias) is not None:
                out[key] = data.get(alias)
    return out


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("target_kind", str, enum=FollowTarget.values)]
    )
)
class FollowListView(generics.ListCreateAPIView):
    """Your follows (`?target_kind=` filters). POST follows (idempotent: 201 when new,
    200 when you already followed). DELETE with `target_kind` and `target_id` (body or
    query) unfollows."""

    serializer_class = FollowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Follow.objects.none()
        qs = Follow.objects.filter(member=member_of(self.request))
        kind = query_choice(
            self.request.query_params, "target_kind", FollowTarget.values
        )
        if kind:
            qs = qs.filter(target_kind=kind)
        return qs

    def _follow(self, request):
        data = FollowSerializer(data=_normalised(request.data))
        data.is_valid(raise_exception=True)
        follow, created = services.follow(member=request.user, **data.validated_data)
        return Response(
            FollowSerializer(follow).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=FollowSerializer,
        responses={201: FollowSerializer, 200: FollowSerializer},
    )
    def post(self, request):
        return self._follow(request)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "target_kind", str, enum=FollowTarget.values, required=True
            ),
            id_parameter("target_id", required=True),
        ],
        responses={204: None},
        operation_id="follows_destroy_by_target",
    )
    def delete(self, request):
        source = _normalised(request.data if request.data else request.query_params)
        data = FollowSerializer(
            data={
                "target_kind": source.get("target_kind"),
                "target_id": source.get("target_id"),
            }
        )
        data.is_valid(raise_exception=True)
        if not services.unfollow(member=request.user, **data.validated_data):
            return Response(
                {"detail": _("You do not follow this.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowDetailView(APIView):
    @extend_schema(responses={204: None}, operation_id="follows_destroy_by_id")
    def delete(self, request, pk: int):
        if not services.remove_follow(member=member_of(request), follow_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
