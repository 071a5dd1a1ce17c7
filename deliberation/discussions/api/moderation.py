"""The moderation API: flags, hiding and restoring with a public reason, appeals
and their decisions, the public moderation log."""

from __future__ import annotations

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.schema import id_parameter
from deliberation.discussions import selectors, services
from deliberation.discussions.models import Appeal, Flag, ModerationAction
from deliberation.discussions.subjects import readable_filter
from deliberation.inputs import query_int

from ._common import readable_comment
from .serializers import (
    AppealSerializer,
    DecideSerializer,
    FlagSerializer,
    ModerationActionSerializer,
    OpenFlagSerializer,
    ReasonSerializer,
)


class CommentFlagsView(APIView):
    @extend_schema(request=ReasonSerializer, responses={201: FlagSerializer})
    def post(self, request, pk):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_comment(
            comment=readable_comment(request, pk),
            member=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(FlagSerializer(flag).data, status=201)


class OpenFlagListView(generics.ListAPIView):
    """Moderators: unresolved flags on visible comments in the units they moderate
    (empty for everyone else). Hiding or restoring a comment resolves its flags."""

    serializer_class = OpenFlagSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Flag.objects.none()
        return selectors.open_flags_qs(self.request.user)


class _ModerationView(APIView):
    service: Callable[..., ModerationAction]

    @extend_schema(request=ReasonSerializer, responses=ModerationActionSerializer)
    def post(self, request, pk):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = type(self).service(
            comment=readable_comment(request, pk),
            moderator=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(ModerationActionSerializer(action).data, status=200)


class CommentHideView(_ModerationView):
    """A moderator of the unit hides a comment, with a public reason."""

    service = staticmethod(services.hide_comment)


class CommentRestoreView(_ModerationView):
    service = staticmethod(services.restore_comment)


class CommentAppealView(APIView):
    """The author appeals the hiding once; another moderator decides."""

    @extend_schema(request=ReasonSerializer, responses={201: AppealSerializer})
    def post(self, request, pk):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_hiding(
            comment=readable_comment(request, pk),
            author=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(AppealSerializer(appeal).data, status=201)


class AppealListView(generics.ListAPIView):
    """Open appeals you may decide (moderators) and your own appeals."""

    serializer_class = AppealSerializer

    def get_queryset(self):
        from django.db.models import Q

        if getattr(self, "swagger_fake_view", False):
            return Appeal.objects.none()
        q = Q(author=self.request.user)
        scope = selectors.moderated_unit_filter(
            self.request.user, "comment__thread__unit__"
        )
        if scope is not None:
            q |= scope
        return (
            Appeal.objects.filter(q)
            .filter(readable_filter(self.request.user, "comment__thread__"))
            .order_by("-created", "-id")
        )


class AppealDecideView(APIView):
    @extend_schema(request=DecideSerializer, responses=AppealSerializer)
    def post(self, request, pk):
        appeal = get_object_or_404(
            Appeal.objects.filter(readable_filter(request.user, "comment__thread__")),
            pk=pk,
        )
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.decide_appeal(
            appeal=appeal,
            moderator=request.user,
            outcome=data.validated_data["outcome"],
            reason=data.validated_data["reason"],
        )
        return Response(AppealSerializer(appeal).data)


@extend_schema_view(get=extend_schema(parameters=[id_parameter("unit")]))
class ModerationLogView(generics.ListAPIView):
    """The public moderation log: every hide, restore and appeal decision; `?unit=`."""

    serializer_class = ModerationActionSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return selectors.moderation_log(
            viewer=self.request.user,
            unit_id=query_int(self.request.query_params, "unit"),
        )
