"""The live sessions API: facilitators schedule and close sessions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.schema import id_parameter
from deliberation.discussions import selectors, services
from deliberation.discussions.models import LiveSession
from deliberation.inputs import query_bool, query_int
from deliberation.members.models import Unit

from .serializers import (
    LiveSessionInputSerializer,
    LiveSessionSerializer,
    MinutesSerializer,
)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            id_parameter("unit"),
            id_parameter("thread"),
            OpenApiParameter("upcoming", bool),
        ]
    )
)
class LiveSessionListView(generics.ListCreateAPIView):
    """Scheduled discussion sessions; `?unit=`, `?thread=`, `?upcoming=1`. POST (a
    facilitator of the unit): `{"unit", "title", "agenda", "starts", "ends" |
    "duration_minutes", "thread"?}` — without a thread one is opened for the session."""

    serializer_class = LiveSessionSerializer

    def get_queryset(self):
        return selectors.list_live_sessions(
            viewer=self.request.user,
            unit_id=query_int(self.request.query_params, "unit"),
            thread_id=query_int(self.request.query_params, "thread"),
            upcoming=query_bool(self.request.query_params, "upcoming"),
        )

    @extend_schema(
        request=LiveSessionInputSerializer, responses={201: LiveSessionSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = LiveSessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit = Unit.objects.filter(pk=v["unit"]).first()
        if unit is None:
            return Response({"unit": [_("No such unit.")]}, status=400)
        thread = None
        if v.get("thread"):
            thread = (
                selectors.readable_threads(request.user)
                .filter(pk=v["thread"])
                .select_related("unit")
                .first()
            )
            if thread is None:
                return Response({"thread": [_("No such thread.")]}, status=400)
        session = services.schedule_live_session(
            unit=unit,
            facilitator=request.user,
            title=v["title"],
            agenda=v["agenda"],
            starts=v["starts"],
            ends=v.get("ends"),
            duration_minutes=v.get("duration_minutes"),
            thread=thread,
        )
        return Response(LiveSessionSerializer(session).data, status=201)


class LiveSessionDetailView(generics.RetrieveAPIView):
    serializer_class = LiveSessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LiveSession.objects.none()
        return selectors.list_live_sessions(viewer=self.request.user)


class LiveSessionCloseView(APIView):
    """The facilitator closes the session with minutes (kept on the thread)."""

    @extend_schema(request=MinutesSerializer, responses=LiveSessionSerializer)
    def post(self, request, pk):
        session = get_object_or_404(
            selectors.list_live_sessions(viewer=request.user), pk=pk
        )
        data = MinutesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.close_live_session(
            session=session, actor=request.user, minutes=data.validated_data["minutes"]
        )
        return Response(LiveSessionSerializer(session).data)
