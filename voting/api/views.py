"""Polls API. Thin: parse, call one service or selector, shape."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.pagination import PageNumberPagination
from deliberation.discussions.models import Thread
from deliberation.errors import Conflict
from deliberation.inputs import query_int
from deliberation.members.models import Unit
from voting import permissions, selectors, services
from voting.models import Poll, PollKind, PollState

from .serializers import (
    BallotSerializer,
    PollCreateSerializer,
    ReceiptSerializer,
    poll_payload,
)


def _poll(request, pk: int) -> Poll:
    if not permissions.can_read_poll(request.user, None):
        raise PermissionDenied(_("Only members can see polls."))
    try:
        return selectors.get_poll(viewer=request.user, pk=pk)
    except Poll.DoesNotExist as exc:
        raise NotFound(_("There is no such poll.")) from exc


class PollListView(APIView):
    """GET: polls (`state=open|closed`, `unit`, `proposal`, `kind`); POST: an
    advisory poll."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not permissions.can_read_poll(request.user, None):
            raise PermissionDenied(_("Only members can see polls."))
        state = request.query_params.get("state") or None
        if state not in (None, PollState.OPEN, PollState.CLOSED):
            raise ValidationError({"state": [_("Use open or closed.")]})
        kind = request.query_params.get("kind") or None
        if kind not in (None, *PollKind.values):
            raise ValidationError({"kind": [_("Use proposal or advisory.")]})
        qs = selectors.list_polls(
            viewer=request.user,
            state=state,
            unit=query_int(request.query_params, "unit"),
            proposal=query_int(request.query_params, "proposal"),
            kind=kind,
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response([poll_payload(p) for p in page])

    @extend_schema(request=PollCreateSerializer, responses={201: dict})
    def post(self, request):
        data = PollCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = Unit.objects.filter(pk=values["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no such unit.")]})
        thread = None
        if values.get("thread"):
            thread = Thread.objects.filter(pk=values["thread"]).first()
            if thread is None:
                raise ValidationError({"thread": [_("There is no such thread.")]})
        poll = services.create_advisory_poll(
            actor=request.user,
            unit=unit,
            thread=thread,
            question=values["question"],
            method=values["method"],
            options=values.get("options") or [],
            ballot=values["ballot"],
            closes=values["closes"],
        )
        return Response(
            poll_payload(selectors.get_poll(viewer=request.user, pk=poll.pk)),
            status=status.HTTP_201_CREATED,
        )


class PollDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        return Response(poll_payload(_poll(request, pk)))


class BallotView(APIView):
    """POST a ballot → 201 `{"receipt"}` (shown once; never stored)."""

    @extend_schema(request=BallotSerializer, responses={201: ReceiptSerializer})
    def post(self, request, pk: int):
        if not Poll.objects.filter(pk=pk).exists():
            raise NotFound(_("There is no such poll."))
        payload = request.data if isinstance(request.data, dict) else None
        if payload is None:
            raise ValidationError(
                {"answers": [_("Send the answers as a JSON object.")]}
            )
        receipt = payload.get("receipt")
        result = services.cast_ballot(
            poll=pk,
            member=request.user,
            payload=payload,
            receipt=receipt if receipt not in (None, "") else None,
        )
        response = Response(
            {"receipt": result.receipt, "replaced": result.replaced, "poll": pk},
            status=status.HTTP_201_CREATED,
        )
        response["Cache-Control"] = "no-store"
        return response


def _closed_or_409(poll: Poll) -> None:
    phase = poll.phase()
    if phase == "open":
        raise Conflict(
            _("The poll is still open; the result comes after the close."),
            code="poll_open",
        )
    if phase == "counting":
        raise Conflict(_("The votes are being counted."), code="counting")


class ResultView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        poll = _poll(request, pk)
        _closed_or_409(poll)
        result = poll.result
        return Response(
            {
                "poll": poll.pk,
                "state": "closed",
                "eligible": result.eligible,
                "participations": result.participations,
                "ballots": result.ballots,
                "represented": result.votes_cast,
                "consistent": result.ballots == result.participations,
                "turnout": result.turnout,
                "quorum_needed": result.quorum_needed,
                "quorum_met": result.quorum_met,
                "counted_at": result.counted_at,
                "questions": result.questions,
                "outcomes": result.outcomes,
                "breakdown": result.breakdown,
            }
        )


class BulletinView(APIView):
    """After the close: every counted ballot with the hex SHA-256 of its receipt, in
    an order unrelated to casting (paginated). Open polls: the public ballots so far
    while voting (`provisional`), the counted ones after."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        poll = _poll(request, pk)
        paginator = PageNumberPagination()
        if poll.state != PollState.CLOSED:
            if poll.is_secret:
                _closed_or_409(poll)
            page = (
                paginator.paginate_queryset(
                    selectors.open_ballots_of(poll), request, view=self
                )
                or []
            )
            rows = selectors.open_ballot_rows(poll, page)
            response = paginator.get_paginated_response(rows)
            response.data["provisional"] = True
            return response
        if poll.bulletin_published_at is None:
            raise Conflict(
                _("The votes are counted; the bulletin is being published."),
                code="publishing",
            )
        ballots = (
            paginator.paginate_queryset(selectors.bulletin_of(poll), request, view=self)
            or []
        )
        response = paginator.get_paginated_response(
            selectors.bulletin_rows(poll, ballots)
        )
        response.data["provisional"] = False
        return response
