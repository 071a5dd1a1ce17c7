"""Amendments API: list and suggest, support, accept, withdraw."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.idempotency import create_once, replay_headers, request_key
from proposals import selectors, services
from proposals.models import Amendment

from .serializers import (
    AmendmentCreateSerializer,
    AmendmentSerializer,
    ProposalDetailSerializer,
)
from .views import WriteThrottle, proposal_detail_data


class AmendmentListView(generics.ListCreateAPIView):
    serializer_class = AmendmentSerializer
    throttle_classes = [WriteThrottle]
    throttle_scope = "write"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Amendment.objects.none()
        return selectors.amendments_of(
            selectors.get_visible_proposal(
                viewer=self.request.user, pk=self.kwargs["pk"]
            ),
            viewer=self.request.user,
        )

    @extend_schema(
        request=AmendmentCreateSerializer, responses={201: AmendmentSerializer}
    )
    def post(self, request, pk: int):
        proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
        data = AmendmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amendment, created = create_once(
            member=request.user,
            key=request_key(request),
            model=Amendment,
            create=lambda: services.create_amendment(
                proposal=proposal, actor=request.user, **data.validated_data
            ),
        )
        return Response(
            AmendmentSerializer(amendment).data,
            status=status.HTTP_201_CREATED,
            headers=replay_headers(created),
        )


def _amendment(request, pk: int, amendment_id: int) -> Amendment:
    selectors.get_visible_proposal(viewer=request.user, pk=pk)
    return get_object_or_404(Amendment, pk=amendment_id, proposal_id=pk)


class AmendmentDetailView(APIView):
    @extend_schema(responses=AmendmentSerializer)
    def get(self, request, pk: int, amendment_id: int):
        return Response(AmendmentSerializer(_amendment(request, pk, amendment_id)).data)


class AmendmentSupportView(APIView):
    @extend_schema(request=None, responses=AmendmentSerializer)
    def post(self, request, pk: int, amendment_id: int):
        amendment = services.support_amendment(
            amendment=_amendment(request, pk, amendment_id), member=request.user
        )
        return Response(
            AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=AmendmentSerializer)
    def delete(self, request, pk: int, amendment_id: int):
        amendment = services.withdraw_amendment_support(
            amendment=_amendment(request, pk, amendment_id), member=request.user
        )
        return Response(AmendmentSerializer(amendment).data)


class AmendmentAcceptView(APIView):
    """The authors accept the amendment: it becomes a new revision."""

    @extend_schema(request=None, responses=ProposalDetailSerializer)
    def post(self, request, pk: int, amendment_id: int):
        services.accept_amendment(
            amendment=_amendment(request, pk, amendment_id), actor=request.user
        )
        return Response(proposal_detail_data(request, pk))


class AmendmentWithdrawView(APIView):
    @extend_schema(request=None, responses=AmendmentSerializer)
    def post(self, request, pk: int, amendment_id: int):
        amendment = services.withdraw_amendment(
            amendment=_amendment(request, pk, amendment_id), actor=request.user
        )
        return Response(AmendmentSerializer(amendment).data)
