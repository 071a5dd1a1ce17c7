from rest_framework import generics, serializers

from deliberation.audit.models import AuditEntry
from deliberation.audit.selectors import list_audit_entries
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


class AuditLogView(generics.ListAPIView):
    """The public audit log: every grant and end of a role, every use of power."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        unit = self.request.query_params.get("unit")
        return list_audit_entries(
            action=self.request.query_params.get("action") or None,
            unit_id=int(unit) if unit and unit.isdigit() else None,
        )
