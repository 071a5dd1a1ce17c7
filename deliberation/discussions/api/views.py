"""The discussions API (DESIGN.md §5): threads, comments, reactions. Thin: parse,
call one service or selector, shape the answer. Errors from services become 4xx JSON
(RateLimited → 429). Moderation: moderation.py; live sessions: live_sessions.py."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.schema import id_parameter
from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors, services
from deliberation.discussions.models import Comment, ReactionKind, Thread, ThreadKind
from deliberation.idempotency import create_once, replay_headers, request_key
from deliberation.inputs import query_choice, query_int
from deliberation.members.models import Unit

from ._common import (
    RateLimitAware,
    comment_response,
    new_comment_response,
    readable_comment,
    readable_thread,
)
from .serializers import (
    CommentEditSerializer,
    CommentInputSerializer,
    CommentSerializer,
    ReactionInputSerializer,
    ThreadInputSerializer,
    ThreadSerializer,
)

ARGUMENTS = inline_serializer(
    "Arguments",
    {
        "thread": drf_serializers.IntegerField(),
        "for": CommentSerializer(many=True),
        "against": CommentSerializer(many=True),
    },
)


REACTIONS = inline_serializer(
    "ReactionCounts",
    {
        "id": drf_serializers.IntegerField(),
        "reactions": drf_serializers.DictField(),
        "reaction_total": drf_serializers.IntegerField(),
        "my_reactions": drf_serializers.ListField(child=drf_serializers.CharField()),
    },
)


HISTORY = inline_serializer(
    "CommentHistory",
    {
        "id": drf_serializers.IntegerField(),
        "history": drf_serializers.ListField(child=drf_serializers.DictField()),
    },
)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            id_parameter("unit"),
            OpenApiParameter("kind", str, enum=ThreadKind.values),
        ]
    )
)
class ThreadListView(RateLimitAware, generics.ListCreateAPIView):
    """Threads (unit discussions and those of proposals/amendments); `?unit=`, `?kind=`.
    POST `{"title", "unit"}` opens a discussion in a unit you belong to."""

    serializer_class = ThreadSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Thread.objects.none()
        if not perms.is_member(self.request.user):
            raise PermissionDenied(_("Only members can read discussions."))
        return selectors.list_threads(
            viewer=self.request.user,
            unit_id=query_int(self.request.query_params, "unit"),
            kind=query_choice(self.request.query_params, "kind", ThreadKind.values),
        )

    @extend_schema(request=ThreadInputSerializer, responses={201: ThreadSerializer})
    def create(self, request, *args, **kwargs):
        data = ThreadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = Unit.objects.filter(pk=data.validated_data["unit"]).first()
        if unit is None:
            return Response({"unit": [_("No such unit.")]}, status=400)
        thread, created = create_once(
            member=request.user,
            key=request_key(request),
            model=Thread,
            create=lambda: services.open_thread(
                title=data.validated_data["title"], unit=unit, actor=request.user
            ),
        )
        return Response(
            ThreadSerializer(selectors.get_thread(thread.pk)).data,
            status=201,
            headers=replay_headers(created),
        )


class ThreadDetailView(generics.RetrieveAPIView):
    serializer_class = ThreadSerializer

    def get_object(self):
        readable_thread(self.request, self.kwargs["pk"])
        return selectors.get_thread(self.kwargs["pk"])


class ThreadCommentsView(RateLimitAware, generics.ListCreateAPIView):
    """All comments of a thread in reading order (`parent` gives the nesting);
    `?view=arguments` answers for/against side by side instead."""

    serializer_class = CommentSerializer

    def get_thread(self):
        if not hasattr(self, "_thread"):
            self._thread = readable_thread(self.request, self.kwargs["pk"])
        return self._thread

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return selectors.comments_of(self.get_thread().pk)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "view",
                str,
                enum=["arguments"],
                description=(
                    '`arguments`: {"for": [...], "against": [...]} instead of the list'
                ),
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        thread = self.get_thread()
        if request.query_params.get("view") == "arguments":
            return Response(arguments_payload(request, thread))
        page = self.paginate_queryset(self.get_queryset()) or []
        selectors.present_comments(page, request.user, thread)
        reacted = selectors.my_reactions(request.user, [c.pk for c in page])
        data = CommentSerializer(page, many=True, context={"reacted": reacted}).data
        return self.get_paginated_response(data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        thread = self.get_thread()
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment, created = create_once(
            member=request.user,
            key=request_key(request),
            model=Comment,
            create=lambda: services.post_comment(
                thread=thread, author=request.user, **data.validated_data
            ),
        )
        if created:
            return new_comment_response(comment)
        response = comment_response(request, comment, status.HTTP_201_CREATED)
        for header, value in replay_headers(created).items():
            response[header] = value
        return response


def arguments_payload(request, thread) -> dict:
    sides = selectors.arguments(thread=thread, viewer=request.user)
    everything = sides["for"] + sides["against"]
    reacted = selectors.my_reactions(request.user, [c.pk for c in everything])
    ctx = {"reacted": reacted}
    return {
        "thread": thread.pk,
        "for": CommentSerializer(sides["for"], many=True, context=ctx).data,
        "against": CommentSerializer(sides["against"], many=True, context=ctx).data,
    }


class ThreadArgumentsView(APIView):
    """For and against side by side, most reactions first."""

    @extend_schema(responses=ARGUMENTS)
    def get(self, request, pk):
        return Response(arguments_payload(request, readable_thread(request, pk)))


class CommentDetailView(RateLimitAware, APIView):
    @extend_schema(responses=CommentSerializer)
    def get(self, request, pk):
        return comment_response(request, readable_comment(request, pk))

    @extend_schema(request=CommentEditSerializer, responses=CommentSerializer)
    def patch(self, request, pk):
        comment = readable_comment(request, pk)
        data = CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data.get("body")
        comment = services.edit_comment(
            comment=comment,
            actor=request.user,
            body=comment.body if body is None else body,
            stance=data.validated_data.get("stance"),
        )
        return comment_response(request, comment)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_comment(
            comment=readable_comment(request, pk), actor=request.user
        )
        return Response(status=204)


class CommentHistoryView(APIView):
    """Earlier versions of an edited comment, oldest first."""

    @extend_schema(responses=HISTORY)
    def get(self, request, pk):
        comment = readable_comment(request, pk)
        if comment.hidden and not perms.can_see_hidden_text(request.user, comment):
            return Response({"id": comment.pk, "history": []})
        return Response(
            {
                "id": comment.pk,
                "history": [
                    {
                        "body": r.body,
                        "stance": r.stance,
                        "written": r.created,
                        "replaced": r.replaced,
                    }
                    for r in selectors.comment_history(comment)
                ],
            }
        )


class CommentReactionsView(APIView):
    """POST `{"kind"}` sets your reaction (201 new, 200 already there); DELETE
    `{"kind"}` (or `?kind=`) removes it."""

    def _answer(self, request, comment, code):
        return Response(
            {
                "id": comment.pk,
                "reactions": CommentSerializer().get_reactions(comment),
                "reaction_total": comment.reaction_total,
                "my_reactions": sorted(
                    k for _c, k in selectors.my_reactions(request.user, [comment.pk])
                ),
            },
            status=code,
        )

    @extend_schema(
        request=ReactionInputSerializer, responses={200: REACTIONS, 201: REACTIONS}
    )
    def post(self, request, pk):
        data = ReactionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment, created = services.add_reaction(
            comment=readable_comment(request, pk),
            member=request.user,
            kind=data.validated_data["kind"],
        )
        return self._answer(request, comment, 201 if created else 200)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("kind", str, enum=ReactionKind.values, required=True)
        ],
        # answers the counts as they are now (200), not an empty 204
        responses={200: REACTIONS},
    )
    def delete(self, request, pk):
        raw = (
            request.data
            if isinstance(request.data, dict) and request.data
            else {"kind": request.query_params.get("kind")}
        )
        data = ReactionInputSerializer(data=raw)
        data.is_valid(raise_exception=True)
        comment, _removed = services.remove_reaction(
            comment=readable_comment(request, pk),
            member=request.user,
            kind=data.validated_data["kind"],
        )
        return self._answer(request, comment, 200)
