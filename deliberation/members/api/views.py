from django.contrib.auth import authenticate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.api.pagination import LargePageNumberPagination
from deliberation.api.schema import id_parameter
from deliberation.inputs import query_bool, query_int
from deliberation.members import login_limits
from deliberation.members.models import RoleAssignment
from deliberation.members.selectors import (
    current_roles,
    list_units,
    member_profile,
    subtree_member_counts,
)
from deliberation.members.services import end_role, grant_role, update_profile
from deliberation.members.viewer import member_of

from .serializers import (
    MemberProfileSerializer,
    MeSerializer,
    RoleAssignmentSerializer,
    RoleEndSerializer,
    RoleGrantSerializer,
    UnitSerializer,
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange username (or e-mail) and password for an API token.

    Under the sign-in limits (deliberation/members/login_limits.py): wrong passwords
    are limited per account and per address, right ones never; a refused attempt is
    429 with `Retry-After` and `{"detail", "code": "locked"}`."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        lock = login_limits.lock_of(request)
        if lock is not None:
            return Response(
                {"detail": lock.message, "code": "locked"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(lock.retry_after)},
            )
        if member is None:
            return Response(
                {
                    "detail": _("Wrong username or password."),
                    "code": "invalid_credentials",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=member)
        return Response({"token": token.key})


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        # Through the service, like the settings page (the serializer only parses).
        serializer.instance = update_profile(
            member=member_of(self.request), **serializer.validated_data
        )


class UnitListView(generics.ListAPIView):
    """All units in tree order (`parent`, `children`, `depth`, `path`), paginated like
    every list (100 a page); `?tree=1` returns the whole tree nested under `children`
    from the root instead (not paginated)."""

    serializer_class = UnitSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = LargePageNumberPagination

    def get_queryset(self):
        return list_units()

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "member_counts": subtree_member_counts(),
        }

    def list(self, request, *args, **kwargs):
        if request.query_params.get("tree") not in ("1", "true"):
            return super().list(request, *args, **kwargs)
        data = self.get_serializer(self.get_queryset(), many=True).data
        by_id = {row["id"]: {**row, "children": []} for row in data}
        roots: list[dict] = []
        for row in by_id.values():
            parent = by_id.get(row["parent"])
            (parent["children"] if parent else roots).append(row)
        return Response(roots)


class UnitDetailView(generics.RetrieveAPIView):
    serializer_class = UnitSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return list_units()


@extend_schema_view(
    get=extend_schema(parameters=[id_parameter("unit"), OpenApiParameter("all", bool)])
)
class RoleListView(generics.ListCreateAPIView):
    """Current role holders (public); `?all=1` includes past and future terms.
    POST grants a role (administrators of the unit), recorded in the audit log."""

    serializer_class = RoleAssignmentSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        qs = (
            RoleAssignment.objects.select_related("member", "unit", "granted_by")
            if query_bool(self.request.query_params, "all")
            else current_roles().select_related("granted_by")
        )
        unit = query_int(self.request.query_params, "unit")
        if unit is not None:
            qs = qs.filter(unit_id=unit)
        return qs.order_by("unit__path", "role", "starts", "pk")

    @extend_schema(request=RoleGrantSerializer, responses=RoleAssignmentSerializer)
    def post(self, request):
        data = RoleGrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = grant_role(actor=request.user, **data.validated_data)
        return Response(
            RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class RoleEndView(APIView):
    @extend_schema(request=RoleEndSerializer, responses=RoleAssignmentSerializer)
    def post(self, request, pk: int):
        assignment = get_object_or_404(RoleAssignment, pk=pk)
        data = RoleEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = end_role(
            actor=request.user,
            assignment=assignment,
            reason=data.validated_data["reason"],
        )
        return Response(RoleAssignmentSerializer(assignment).data)


class MemberProfileView(APIView):
    """A member's public profile: name, current units, role terms (for members;
    their proposals are `GET /api/v1/proposals/?author={id}`)."""

    @extend_schema(responses=MemberProfileSerializer)
    def get(self, request, pk: int):
        member = member_profile(pk)
        if member is None:
            raise Http404
        return Response(MemberProfileSerializer(member).data)
