from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from deliberation.api.schema import id_parameter
from deliberation.audit.models import AuditEntry
from deliberation.audit.selectors import list_audit_entries
from deliberation.inputs import query_int
from deliberation.members.models import Unit


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    unit: "serializers.PrimaryKeyRelatedField[Unit]" = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "unit",
            "target_type",
            "target_id",
            "summary",
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


@extend_schema_view(
    get=extend_schema(
        parameters=[id_parameter("unit"), OpenApiParameter("action", str)]
    )
)
class AuditLogView(generics.ListAPIView):
    """The public audit log: every grant and end of a role, every use of power."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        return list_audit_entries(
            action=self.request.query_params.get("action") or None,
            unit_id=query_int(self.request.query_params, "unit"),
        )
