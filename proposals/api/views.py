"""Proposals API (DESIGN.md §5). Thin: parse, call one service or selector, shape.
Amendments: amendments.py."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from deliberation.api.pagination import LargePageNumberPagination
from deliberation.api.schema import id_parameter
from deliberation.idempotency import create_once, replay_headers, request_key
from deliberation.inputs import query_bool, query_choice, query_int
from deliberation.members.models import Unit
from proposals import selectors, services
from proposals.diff import revision_diff
from proposals.models import Policy, Proposal, Revision, State, Topic

from .serializers import (
    PolicySerializer,
    PolicyVersionSerializer,
    PolicyWriteSerializer,
    ProposalCreateSerializer,
    ProposalDetailSerializer,
    ProposalSerializer,
    ProposalUpdateSerializer,
    RevisionSerializer,
    SimilarSerializer,
    SupportSerializer,
    TopicSerializer,
)


class WriteThrottle(ScopedRateThrottle):
    """Creating proposals and amendments: `THROTTLE_WRITE` per member (reads are
    free)."""

    scope_attr = "throttle_scope"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class TopicListView(generics.ListAPIView):
    serializer_class = TopicSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = LargePageNumberPagination
    queryset = Topic.objects.all()


def list_filters(params) -> dict:
    """Query parameters of the list, validated (unknown values are a 400)."""
    return {
        "state": query_choice(params, "state", State.values),
        "unit": query_int(params, "unit"),
        "topic": query_int(params, "topic"),
        "author": query_int(params, "author"),
        "followed": query_bool(params, "followed"),
        "subunits": query_bool(params, "subunits"),
        "q": (params.get("q") or "").strip()[:200] or None,
        "ordering": query_choice(params, "ordering", selectors.ORDERINGS),
    }


LIST_PARAMETERS = [
    OpenApiParameter("state", str, enum=State.values),
    id_parameter("unit"),
    id_parameter("topic"),
    id_parameter("author"),
    OpenApiParameter("followed", bool),
    OpenApiParameter(
        "subunits", bool, description="with `unit`: include units below it"
    ),
    OpenApiParameter("q", str, description="Full-text search (Swedish and English)"),
    OpenApiParameter("ordering", str, enum=list(selectors.ORDERINGS)),
]


class ProposalListView(generics.ListCreateAPIView):
    """Proposals visible to you (published ones and your own drafts)."""

    serializer_class = ProposalSerializer
    throttle_classes = [WriteThrottle]
    throttle_scope = "write"

    def get_queryset(self):
        return selectors.list_proposals(
            viewer=self.request.user, **list_filters(self.request.query_params)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # topics and authors of the page's rows: two queries (selectors)
        return None if page is None else selectors.attach_people(page)

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProposalCreateSerializer, responses={201: ProposalDetailSerializer}
    )
    def post(self, request):
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal, created = create_once(
            member=request.user,
            key=request_key(request),
            model=Proposal,
            create=lambda: services.create_proposal(
                actor=request.user, **data.validated_data
            ),
        )
        return Response(
            proposal_detail_data(request, proposal.pk),
            status=status.HTTP_201_CREATED,
            headers=replay_headers(created),
        )


def proposal_detail_data(request, pk: int) -> dict:
    return ProposalDetailSerializer(
        selectors.get_visible_proposal(viewer=request.user, pk=pk),
        context={"request": request},
    ).data


class ProposalDetailView(APIView):
    @extend_schema(responses=ProposalDetailSerializer)
    def get(self, request, pk: int):
        return Response(proposal_detail_data(request, pk))

    @extend_schema(request=ProposalUpdateSerializer, responses=ProposalDetailSerializer)
    def patch(self, request, pk: int):
        proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
        data = ProposalUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_proposal(
            proposal=proposal, actor=request.user, **data.validated_data
        )
        return Response(proposal_detail_data(request, pk))


class ProposalActionView(APIView):
    """POST moves the proposal (publish / withdraw); answers the proposal."""

    action_name = ""

    @extend_schema(request=None, responses=ProposalDetailSerializer)
    def post(self, request, pk: int):
        proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
        if self.action_name == "publish":
            services.publish_proposal(proposal=proposal, actor=request.user)
        elif self.action_name == "withdraw":
            services.withdraw_proposal(proposal=proposal, actor=request.user)
        return Response(proposal_detail_data(request, pk))


class CoauthorView(APIView):
    """POST accepts your invitation to co-author; DELETE declines it."""

    @extend_schema(request=None, responses=ProposalDetailSerializer)
    def post(self, request, pk: int):
        services.accept_coauthorship(
            proposal=selectors.get_visible_proposal(viewer=request.user, pk=pk),
            member=request.user,
        )
        return Response(proposal_detail_data(request, pk))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        services.decline_coauthorship(
            proposal=selectors.get_visible_proposal(viewer=request.user, pk=pk),
            member=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _support_body(proposal: Proposal) -> dict:
    return {
        "support_count": proposal.support_count,
        "support_needed": proposal.support_needed,
        "state": proposal.state,
        "days_left": proposal.days_left,
    }


class SupportView(APIView):
    """POST supports the proposal, DELETE takes the support back."""

    @extend_schema(request=None, responses=SupportSerializer)
    def post(self, request, pk: int):
        proposal = services.support_proposal(
            proposal=selectors.get_visible_proposal(viewer=request.user, pk=pk),
            member=request.user,
        )
        return Response(_support_body(proposal), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SupportSerializer)
    def delete(self, request, pk: int):
        proposal = services.withdraw_support(
            proposal=selectors.get_visible_proposal(viewer=request.user, pk=pk),
            member=request.user,
        )
        return Response(_support_body(proposal))


class RevisionListView(generics.ListAPIView):
    serializer_class = RevisionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Revision.objects.none()
        return selectors.revisions_of(
            selectors.get_visible_proposal(
                viewer=self.request.user, pk=self.kwargs["pk"]
            )
        )


class RevisionDiffView(APIView):
    """Word-level diff between two revisions: `?from=1&to=3` (defaults: the previous
    and the current revision). Each part is `[[op, text], ...]`, op in
    equal | insert | delete."""

    @extend_schema(
        parameters=[id_parameter("from"), id_parameter("to")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk: int):
        proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
        to = query_int(request.query_params, "to", default=proposal.revision)
        from_ = query_int(request.query_params, "from", default=max(1, to - 1))
        revisions = {
            r.number: r
            for r in selectors.revisions_of(proposal).filter(number__in=[from_, to])
        }
        missing = [n for n in (from_, to) if n not in revisions]
        if missing:
            raise ValidationError(
                {"detail": [_("No revision %(n)d.") % {"n": missing[0]}]}
            )
        return Response(revision_diff(revisions[from_], revisions[to]))


class SimilarView(APIView):
    """Proposals like the text you are writing (`?q=` your title)."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str)], responses=SimilarSerializer(many=True)
    )
    def get(self, request):
        found = selectors.similar_proposals(
            viewer=request.user, text=request.query_params.get("q", "")[:300]
        )
        return Response(SimilarSerializer(found, many=True).data)


class UnitPolicyView(APIView):
    """The policy that applies to a unit (its own or inherited); PUT/PATCH by the
    unit's administrators sets the unit's own policy, logged in the audit log."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def _unit(self, pk: int) -> Unit:
        return get_object_or_404(Unit, pk=pk)

    @extend_schema(responses=PolicySerializer)
    def get(self, request, pk: int):
        policy = selectors.policy_for_unit(self._unit(pk))
        return Response(
            {**PolicySerializer(policy).data, "inherited": policy.unit_id != pk}
        )

    @extend_schema(request=PolicyWriteSerializer, responses=PolicySerializer)
    def patch(self, request, pk: int):
        unit = self._unit(pk)
        data = PolicyWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        policy = services.set_unit_policy(
            actor=request.user, unit=unit, reason=reason, **values
        )
        return Response({**PolicySerializer(policy).data, "inherited": False})

    put = patch


class PolicyListView(generics.ListAPIView):
    """Every unit's own policy and the default."""

    serializer_class = PolicySerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = LargePageNumberPagination

    def get_queryset(self):
        return Policy.objects.select_related("unit").order_by(
            "-is_default", "unit__path", "-version"
        )


class PolicyVersionListView(generics.ListAPIView):
    """Every version of a unit's own rules, newest first: what changed, who decided
    it (a member vote, with the proposal; or administrators, with their reason) and
    whether an emergency change lapsed or was confirmed (docs/flat.md). Public, like
    the rules themselves."""

    serializer_class = PolicyVersionSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = LargePageNumberPagination

    def _unit(self) -> Unit:
        if not hasattr(self, "_unit_obj"):
            self._unit_obj = get_object_or_404(Unit, pk=self.kwargs["pk"])
        return self._unit_obj

    def get_queryset(self):
        return selectors.policy_versions(self._unit())

    def get_serializer_context(self):
        current = selectors.own_policy(self._unit())
        return {**super().get_serializer_context(), "current": current and current.pk}
