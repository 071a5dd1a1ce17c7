"""GET /api/v1/proposals/{id}/spread/: where a proposal's supporters come from and
its way up (docs/flat.md). Readable by whoever may read the proposal."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import selectors
from proposals.spread import proposal_spread, spread_data


class SpreadUnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    supporters = serializers.IntegerField()


class ClimbSerializer(serializers.Serializer):
    # "from" is a Python keyword: the fields are declared below.
    to = serializers.IntegerField()
    at = serializers.DateTimeField()


ClimbSerializer._declared_fields["from"] = serializers.IntegerField()


class SpreadSerializer(serializers.Serializer):
    units = SpreadUnitSerializer(many=True)
    path = serializers.ListField(child=serializers.IntegerField())
    climbs = ClimbSerializer(many=True)


class SpreadView(APIView):
    @extend_schema(responses=SpreadSerializer)
    def get(self, request, pk: int):
        proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
        return Response(spread_data(proposal_spread(proposal)))
