"""`/api/v1/me/export/` and `/api/v1/me/delete/`: a member's own data
(docs/personal-data.md)."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from deliberation.errors import NotFound
from deliberation.members import login_limits
from deliberation.members.erasure import cancel_erasure, request_erasure
from deliberation.members.exports import export_for, export_path, request_export
from deliberation.members.models import DataExport, ErasureRequest
from deliberation.members.viewer import member_of


class ExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["pending", "ready", "expired", "failed"])
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(allow_null=True)
    size = serializers.IntegerField()
    download = serializers.CharField(allow_null=True)


def export_payload(request, export: DataExport) -> dict:
    ready = export_path(export) is not None
    return {
        "id": export.pk,
        "state": export.state,
        "created": export.created,
        "expires": export.expires,
        "size": export.size if ready else 0,
        "download": (
            request.build_absolute_uri(
                reverse("api-me-export-download", args=[export.pk])
            )
            if ready
            else None
        ),
    }


class ExportView(APIView):
    """Ask for a ZIP of everything Torget holds about you. Built in the background;
    a second request while one is being prepared answers the same job."""

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer("ExportCreated", {"id": serializers.IntegerField()})
        },
    )
    def post(self, request):
        export = request_export(member=member_of(request))
        return Response(
            {"id": export.pk, "state": export.state}, status=status.HTTP_202_ACCEPTED
        )


class ExportDetailView(APIView):
    """The state of one of your exports; `download` is its URL once ready."""

    @extend_schema(responses=ExportSerializer)
    def get(self, request, pk: int):
        export = export_for(member=member_of(request), export_id=pk)
        return Response(export_payload(request, export))


class ExportDownloadView(APIView):
    """The ZIP itself, for its member only, until it expires (else 404)."""

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The archive"
            )
        }
    )
    def get(self, request, pk: int):
        export = export_for(member=member_of(request), export_id=pk)
        path = export_path(export)
        if path is None:
            raise NotFound(_("This export is not ready or has expired."))
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"torget-data-{export.created:%Y%m%d}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class DeleteRequestSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=512, trim_whitespace=False)
    confirm = serializers.BooleanField()
    keep_comments = serializers.BooleanField(required=False, default=False)

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _("Confirm that your data should be erased.")
            )
        return value


ERASURE_ANSWER = inline_serializer(
    "ErasureScheduled",
    {
        "erase_at": serializers.DateTimeField(),
        "keep_comments": serializers.BooleanField(),
    },
)


class DeleteAccountView(APIView):
    """Delete your account: your personal data is erased after the grace period
    (`ERASURE_GRACE_DAYS`; 0: at once). Public roles, delegates' roll-call votes and
    audit entries stay with your name; comments stay as "a former member", their text
    removed unless `keep_comments`. `DELETE` cancels a pending request."""

    @extend_schema(responses={200: ERASURE_ANSWER})
    def get(self, request):
        pending = ErasureRequest.objects.filter(member=member_of(request)).first()
        if pending is None:
            raise NotFound(_("No deletion is pending."))
        return Response(
            {"erase_at": pending.erase_at, "keep_comments": pending.keep_comments}
        )

    @extend_schema(request=DeleteRequestSerializer, responses={202: ERASURE_ANSWER})
    def post(self, request):
        member = member_of(request)
        data = DeleteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password = data.validated_data["password"]
        if not login_limits.check_own_password(
            request=request, member=member, password=password
        ):
            lock = login_limits.lock_of(request)
            if lock is not None:
                return Response(
                    {"detail": lock.message, "code": "locked"},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(lock.retry_after)},
                )
            return Response(
                {"password": [_("Wrong password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        keep = data.validated_data["keep_comments"]
        pending = request_erasure(member=member, keep_comments=keep)
        erase_at: datetime | None
        if pending is not None:
            erase_at = pending.erase_at
        else:  # erased at once (ERASURE_GRACE_DAYS=0): signed out everywhere
            from django.contrib.auth import logout

            member.refresh_from_db()
            erase_at = member.erased_at
            logout(request._request)
        return Response(
            {"erase_at": erase_at, "keep_comments": keep},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not cancel_erasure(member=member_of(request)):
            raise NotFound(_("No deletion is pending."))
        return Response(status=status.HTTP_204_NO_CONTENT)
