from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from deliberation.api.schema import id_parameter
from deliberation.audit.models import AuditEntry
from deliberation.audit.registry import action_codes
from deliberation.audit.rendering import render_entries
from deliberation.audit.selectors import AuditFilters, list_audit_entries
from deliberation.members.models import Unit


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    unit: "serializers.PrimaryKeyRelatedField[Unit]" = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="The kind of action, in the reader's language."
    )
    summary = serializers.CharField(
        source="text",
        read_only=True,
        help_text="What happened, rendered now in the reader's language "
        "(Accept-Language or the member's setting) from `action` and `data`.",
    )
    html = serializers.CharField(
        read_only=True, help_text="`summary` as HTML, with links to the objects."
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "label",
            "unit",
            "target_type",
            "target_id",
            "summary",
            "html",
            "reason",
            "data",
        ]

    def get_actor(self, obj) -> dict | None:
        if obj.actor is None:
            return None
        return {
            "id": obj.actor.pk,
            "username": obj.actor.username,
            "name": obj.actor.display_name,
        }


DATE = {"type": "string", "format": "date"}


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("action", str, enum=action_codes()),
            id_parameter("unit", "Entries of this unit."),
            id_parameter("member", "Entries by or about this member."),
            OpenApiParameter("since", DATE, description="From this day (inclusive)."),
            OpenApiParameter("until", DATE, description="To this day (inclusive)."),
        ]
    )
)
class AuditLogView(generics.ListAPIView):
    """The public audit log: every grant and end of a role, every use of power and
    every phase change of a published proposal, newest first."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        return list_audit_entries(
            filters=AuditFilters.from_query(self.request.query_params)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            render_entries(page)
        return page
