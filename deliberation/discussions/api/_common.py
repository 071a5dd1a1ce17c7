"""Shared by the discussions API views: the 429 answer, query parameters, the
readable-object lookups and the comment answers."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.discussions import selectors, services
from deliberation.discussions.access import access_comment
from deliberation.discussions.models import Comment, Thread

from .serializers import CommentSerializer


class RateLimitAware(APIView):
    def handle_exception(self, exc):
        if isinstance(exc, services.RateLimited):
            return Response(
                {"detail": str(exc), "code": exc.code},
                status=429,
                headers={"Retry-After": str(exc.wait)},
            )
        return super().handle_exception(exc)


def readable_thread(request, pk) -> Thread:
    return selectors.get_readable_thread(viewer=request.user, pk=pk)


def readable_comment(request, pk) -> Comment:
    return selectors.get_readable_comment(viewer=request.user, pk=pk)


def new_comment_response(comment: Comment) -> Response:
    """201 for a comment this request just wrote (`post_comment`), from what the
    service holds — its author is the viewer, who sees all of it, and it has no
    reactions yet: the payload `comment_response` would read back, without the
    four queries (tests/discussions/test_post_path.py holds them equal)."""
    selectors.present_own_new_comment(comment)
    return Response(
        CommentSerializer(comment, context={"reacted": set()}).data, status=201
    )


def comment_response(request, comment, status_code=200) -> Response:
    comment = access_comment(request.user, comment.pk)
    thread = comment.thread
    selectors.present_comments([comment], request.user, thread)
    reacted = selectors.my_reactions(request.user, [comment.pk])
    return Response(
        CommentSerializer(comment, context={"reacted": reacted}).data,
        status=status_code,
    )
