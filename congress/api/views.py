"""Congress API. Thin: parse, call one service or selector, shape (README
"Congress", docs/congress.md)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.fields import IdField
from deliberation.api.pagination import PageNumberPagination
from deliberation.api.schema import id_parameter
from deliberation.inputs import query_choice, query_int
from deliberation.members.models import Member, Unit

from .. import dossier, permissions, selectors, services
from ..models import VOTES, Congress, CongressItem, Decision, FollowUpStatus, Position
from .payloads import congress_payload, delegate_payload, dossier_payload, item_payload


def _readable(request) -> None:
    if not permissions.can_read_congress(request.user):
        raise PermissionDenied(_("Only members can see congresses."))


def _congress(request, pk: int) -> Congress:
    _readable(request)
    return selectors.get_congress(pk)


class CongressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts = serializers.DateField()
    ends = serializers.DateField()
    items_deadline = serializers.DateTimeField()
    window_opens = serializers.DateTimeField(required=False)
    answer_days = serializers.IntegerField(min_value=1, max_value=365, default=21)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DelegateSerializer(serializers.Serializer):
    member = IdField()
    unit = IdField()
    chosen = serializers.CharField(max_length=300)


class DelegateVoteSerializer(serializers.Serializer):
    clause = IdField()
    vote = serializers.ChoiceField(choices=VOTES)
    explanation = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class ReviewSerializer(serializers.Serializer):
    recommendation = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class ResponseSerializer(serializers.Serializer):
    unit = IdField()
    clause = IdField()
    position = serializers.ChoiceField(choices=Position.values)
    text = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class ClauseDecisionSerializer(serializers.Serializer):
    id = IdField()
    decision = serializers.ChoiceField(choices=Decision.values)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.values)
    clauses = ClauseDecisionSerializer(many=True, required=False)
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class FollowUpSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.values)
    text = serializers.CharField(max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CongressListView(APIView):
    """GET: congresses, newest first; POST (national administrators): a congress."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        _readable(request)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.list_congresses(), request, view=self
        )
        return paginator.get_paginated_response(
            [congress_payload(c) for c in page or []]
        )

    @extend_schema(request=CongressSerializer, responses={201: dict})
    def post(self, request):
        _readable(request)
        values = _valid(CongressSerializer, request)
        congress = services.create_congress(
            actor=request.user,
            name=values["name"],
            starts=values["starts"],
            ends=values["ends"],
            items_deadline=values["items_deadline"],
            window_opens=values.get("window_opens"),
            answer_days=values["answer_days"],
            reason=values.get("reason", ""),
        )
        return Response(
            congress_payload(selectors.get_congress(congress.pk)),
            status=status.HTTP_201_CREATED,
        )


class CongressDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        return Response(congress_payload(_congress(request, pk)))


class CongressCloseView(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: dict})
    def post(self, request, pk: int):
        congress = _congress(request, pk)
        values = _valid(ReasonSerializer, request)
        services.close_congress(
            actor=request.user, congress=congress, reason=values.get("reason", "")
        )
        return Response(congress_payload(selectors.get_congress(pk)))


class DelegateListView(APIView):
    """GET: the delegates (member, unit, how chosen, and each one's votes); POST
    (national administrators): record a delegate (audited)."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        congress = _congress(request, pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.list_delegates(congress=congress), request, view=self
        )
        return paginator.get_paginated_response(
            [delegate_payload(d) for d in page or []]
        )

    @extend_schema(request=DelegateSerializer, responses={201: dict})
    def post(self, request, pk: int):
        congress = _congress(request, pk)
        values = _valid(DelegateSerializer, request)
        member = Member.objects.filter(pk=values["member"]).first()
        unit = Unit.objects.filter(pk=values["unit"]).first()
        errors = {}
        if member is None:
            errors["member"] = [_("There is no such member.")]
        if unit is None:
            errors["unit"] = [_("There is no such unit.")]
        if errors or member is None or unit is None:
            raise ValidationError(errors)
        delegate = services.record_delegate(
            actor=request.user,
            congress=congress,
            member=member,
            unit=unit,
            chosen=values["chosen"],
        )
        return Response(
            delegate_payload(selectors.get_delegate(congress=congress, pk=delegate.pk)),
            status=status.HTTP_201_CREATED,
        )


class DelegateDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int, delegate: int):
        congress = _congress(request, pk)
        found = selectors.get_delegate(congress=congress, pk=delegate)
        out = delegate_payload(found, votes=False)
        out["votes"] = [
            {
                "item": row["item"].pk,
                "title": row["item"].proposal.title,
                "clause": row["clause"].pk,
                "clause_number": row["clause"].number,
                "vote": row["vote"].vote,
                "explanation": row["vote"].explanation,
                "unit_member_result": row["group"],
                "followed_members": row["followed"],
            }
            for row in selectors.delegate_record(found)
        ]
        return Response(out)


ORDERING = list(selectors.ORDERINGS)
DECISION_FILTER = [*Decision.values, "pending"]


class ItemListView(APIView):
    """The congress's items with the members' and delegates' results per clause."""

    @extend_schema(
        parameters=[
            id_parameter("topic", "Only items filed under this topic."),
            id_parameter("unit", "Only proposals of this unit or units below it."),
            OpenApiParameter("min_margin", int, description="Percent, -100…100."),
            OpenApiParameter("max_margin", int, description="Percent, -100…100."),
            OpenApiParameter("min_turnout", int, description="Percent, 0…100."),
            OpenApiParameter("decision", str, enum=DECISION_FILTER),
            OpenApiParameter("ordering", str, enum=ORDERING),
        ],
        responses={200: dict},
    )
    def get(self, request, pk: int):
        congress = _congress(request, pk)
        qs = items_from_params(congress, request.query_params)
        paginator = PageNumberPagination()
        page: list[CongressItem] = (
            paginator.paginate_queryset(qs, request, view=self) or []
        )
        return paginator.get_paginated_response([item_payload(i) for i in page])


def items_from_params(congress: Congress, params) -> QuerySet[CongressItem]:
    def percent(name: str, low: int) -> float | None:
        value = query_int(params, name, minimum=low, maximum=100)
        return None if value is None else value / 100

    return selectors.list_items(
        congress=congress,
        topic=query_int(params, "topic"),
        unit=query_int(params, "unit"),
        min_margin=percent("min_margin", -100),
        max_margin=percent("max_margin", -100),
        min_turnout=percent("min_turnout", 0),
        decision=query_choice(params, "decision", DECISION_FILTER),
        ordering=query_choice(params, "ordering", ORDERING),
    )


class ItemDetailView(APIView):
    """The dossier: the item plus revisions, amendments, support history, the
    per-unit breakdown, arguments for and against, the roll call, follow-ups."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        found = selectors.get_item(congress=congress, pk=item)
        return Response(dossier_payload(found, request.user))


class ProvenanceView(APIView):
    """The item's whole trail as open data (no personal data beyond the public)."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        return Response(
            dossier.provenance(selectors.get_item(congress=congress, pk=item))
        )


class DelegateVoteView(APIView):
    """POST `{"clause", "vote": "yes|no|abstain", "explanation"}` → 201; a second vote
    on the clause 409, a non-delegate 403, after the close 409."""

    @extend_schema(request=DelegateVoteSerializer, responses={201: dict})
    def post(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        values = _valid(DelegateVoteSerializer, request)
        vote = services.cast_delegate_vote(
            actor=request.user,
            congress=congress,
            item=item,
            clause=values["clause"],
            vote=values["vote"],
            explanation=values["explanation"],
        )
        return Response(
            {
                "id": vote.pk,
                "item": item,
                "clause": vote.clause_id,
                "delegate": vote.delegate_id,
                "vote": vote.vote,
                "explanation": vote.explanation,
                "created": vote.created.isoformat(),
            },
            status=status.HTTP_201_CREATED,
        )


class ReviewView(APIView):
    @extend_schema(request=ReviewSerializer, responses={201: dict})
    def post(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        values = _valid(ReviewSerializer, request)
        review = services.review_item(
            actor=request.user,
            congress=congress,
            item=item,
            recommendation=values["recommendation"],
        )
        return Response(
            {
                "item": item,
                "delegate": review.delegate_id,
                "recommendation": review.recommendation,
                "reviewed_at": review.reviewed_at.isoformat(),
            },
            status=status.HTTP_201_CREATED,
        )


class ResponseView(APIView):
    @extend_schema(request=ResponseSerializer, responses={201: dict})
    def post(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        values = _valid(ResponseSerializer, request)
        unit = Unit.objects.filter(pk=values["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no such unit.")]})
        response = services.publish_response(
            actor=request.user,
            congress=congress,
            item=item,
            unit=unit,
            clause=values["clause"],
            position=values["position"],
            text=values["text"],
        )
        return Response(
            {
                "id": response.pk,
                "clause": response.clause_id,
                "unit": unit.pk,
                "role": response.role,
                "position": response.position,
                "text": response.text,
            },
            status=status.HTTP_201_CREATED,
        )


class DecisionView(APIView):
    @extend_schema(request=DecisionSerializer, responses={200: dict})
    def post(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        values = _valid(DecisionSerializer, request)
        services.record_decision(
            actor=request.user,
            congress=congress,
            item=item,
            decision=values["decision"],
            clauses={c["id"]: c["decision"] for c in values.get("clauses") or []},
            note=values["note"],
        )
        return Response(item_payload(selectors.get_item(congress=congress, pk=item)))


class FollowUpView(APIView):
    @extend_schema(request=FollowUpSerializer, responses={201: dict})
    def post(self, request, pk: int, item: int):
        congress = _congress(request, pk)
        values = _valid(FollowUpSerializer, request)
        update = services.post_followup(
            actor=request.user,
            congress=congress,
            item=item,
            status=values["status"],
            text=values["text"],
        )
        return Response(
            {
                "id": update.pk,
                "item": item,
                "status": update.status,
                "text": update.text,
                "created": update.created.isoformat(),
            },
            status=status.HTTP_201_CREATED,
        )


def export_view(kind: str):
    """GET /api/v1/congresses/{id}/export.csv | export.json — streamed."""
    from django.http import StreamingHttpResponse

    from ..exports import csv_rows, json_chunks

    class ExportView(APIView):
        @extend_schema(
            responses={
                (200, "text/csv" if kind == "csv" else "application/json"): str
                if kind == "csv"
                else dict
            }
        )
        def get(self, request, pk: int):
            congress = _congress(request, pk)
            if kind == "csv":
                response = StreamingHttpResponse(
                    csv_rows(congress), content_type="text/csv; charset=utf-8"
                )
            else:
                response = StreamingHttpResponse(
                    json_chunks(congress), content_type="application/json"
                )
            response["Content-Disposition"] = (
                f'attachment; filename="congress-{congress.pk}.{kind}"'
            )
            return response

    ExportView.__name__ = f"Export{kind.upper()}View"
    ExportView.__qualname__ = ExportView.__name__
    return ExportView
