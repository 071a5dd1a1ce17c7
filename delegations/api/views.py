"""`GET|POST|DELETE /api/v1/delegations/`, `GET /api/v1/delegations/graph/`. Thin:
parse, call one service or selector, shape."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from delegations import permissions, selectors, services
from delegations.models import MAX_TRUSTEES
from delegations.payloads import delegation_payload, graph_payload
from deliberation.api.fields import IdField
from deliberation.api.pagination import PageNumberPagination
from deliberation.api.schema import id_parameter
from deliberation.inputs import query_int
from deliberation.members.models import Unit
from proposals.models import Topic


class DelegationSerializer(serializers.Serializer):
    trustee = IdField()
    fallbacks = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=MAX_TRUSTEES - 1
    )
    unit = IdField(required=False, allow_null=True)
    topic = IdField(required=False, allow_null=True)
    expires = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs):
        if bool(attrs.get("unit")) == bool(attrs.get("topic")):
            raise serializers.ValidationError(
                {"unit": [_("Give either a unit or a topic.")]}
            )
        return attrs


def _scope(
    unit_id: int | None, topic_id: int | None
) -> tuple[Unit | None, Topic | None]:
    unit = topic = None
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no such unit.")]})
    if topic_id:
        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is None:
            raise ValidationError({"topic": [_("There is no such topic.")]})
    return unit, topic


def _members_only(request) -> None:
    if not permissions.can_delegate(request.user):
        raise PermissionDenied(_("Only members can delegate."))


class DelegationListView(APIView):
    """GET: your delegations in force. POST `{"trustee", "unit"|"topic",
    "fallbacks", "expires"}`: delegate (201; a delegation for the same scope is
    replaced — or renewed, 200, when the list is the same). DELETE `?id=` or
    `?unit=`/`?topic=` (or the same in the body): revoke (204)."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        _members_only(request)
        paginator = PageNumberPagination()
        qs = selectors.own_delegations(member=request.user)
        page = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response([delegation_payload(d) for d in page])

    @extend_schema(request=DelegationSerializer, responses={201: dict, 200: dict})
    def post(self, request):
        _members_only(request)
        data = DelegationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit, topic = _scope(values.get("unit"), values.get("topic"))
        delegation, created = services.give_delegation(
            truster=request.user,
            trustees=[values["trustee"], *values.get("fallbacks", [])],
            unit=unit,
            topic=topic,
            expires=values.get("expires"),
        )
        fresh = selectors.own_delegations(member=request.user).get(pk=delegation.pk)
        return Response(
            delegation_payload(fresh),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[id_parameter("id"), id_parameter("unit"), id_parameter("topic")],
        responses={204: None},
    )
    def delete(self, request):
        _members_only(request)
        source = request.data if isinstance(request.data, dict) and request.data else {}
        merged = {
            **request.query_params.dict(),
            **{k: str(v) for k, v in source.items()},
        }
        pk = query_int(merged, "id")
        unit_id = query_int(merged, "unit")
        topic_id = query_int(merged, "topic")
        if pk:
            services.revoke_delegation(truster=request.user, delegation_id=pk)
            return Response(status=status.HTTP_204_NO_CONTENT)
        if bool(unit_id) == bool(topic_id):
            raise ValidationError(
                {"id": [_("Give the delegation's id, or a unit or a topic.")]}
            )
        unit, topic = _scope(unit_id, topic_id)
        if not services.revoke_scope(truster=request.user, unit=unit, topic=topic):
            raise NotFound(_("You have no such delegation."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DelegationGraphView(APIView):
    """The delegations in force for a unit (as they apply to its questions) and/or a
    topic: `{"nodes": [{"member", "weight"}], "edges": [{"from", "to", "rank"}]}`.
    Members only."""

    @extend_schema(
        parameters=[id_parameter("unit"), id_parameter("topic")],
        responses={200: dict},
    )
    def get(self, request):
        if not permissions.can_see_graph(request.user):
            raise PermissionDenied(_("Only members can see the delegation graph."))
        unit_id = query_int(request.query_params, "unit")
        topic_id = query_int(request.query_params, "topic")
        if not unit_id and not topic_id:
            raise ValidationError({"unit": [_("Give a unit or a topic.")]})
        unit, topic = _scope(unit_id, topic_id)
        graph = selectors.delegation_graph(unit=unit, topic=topic)
        return Response(graph_payload(graph))
