from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deliberation.members.models import Member, Membership, Role, RoleAssignment, Unit


class MemberBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "username", "name"]


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code", "kind"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    member = MemberBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    granted_by = MemberBriefSerializer(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "member",
            "unit",
            "role",
            "starts",
            "ends",
            "granted_by",
            "reason",
            "ended_at",
            "end_reason",
            "is_current",
        ]


class RoleGrantSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    starts = serializers.DateTimeField()
    ends = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)

    def validate(self, attrs):
        if attrs["ends"] <= attrs["starts"]:
            raise serializers.ValidationError(
                {"ends": _("A role must end after it starts.")}
            )
        return attrs


class RoleEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class UnitSerializer(serializers.ModelSerializer):
    # A field named like Field.parent: DRF pops declared fields off the class, the
    # stubs cannot know (typeddjango/djangorestframework-stubs#158).
    parent: Any = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    children = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()
    direct_member_count = serializers.IntegerField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "depth",
            "path",
            "children",
            "member_count",
            "direct_member_count",
            "roles",
        ]

    def get_children(self, obj) -> list[int]:
        return [c.pk for c in getattr(obj, "child_list", obj.children.all())]

    def get_member_count(self, obj) -> int:
        counts = self.context.get("member_counts")
        if counts is not None:
            return counts.get(obj.pk, 0)
        from deliberation.members.selectors import subtree_member_count

        return subtree_member_count(obj)

    def get_roles(self, obj) -> list[dict]:
        return [
            {
                "id": r.pk,
                "role": r.role,
                "member": MemberBriefSerializer(r.member).data,
                "ends": r.ends,
            }
            for r in getattr(obj, "current_roles", [])
        ]


class MembershipSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "unit", "since", "until"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    memberships = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "username",
            "name",
            "full_name",
            "email",
            "member_number",
            "language",
            "is_staff",
            "is_superuser",
            "memberships",
            "roles",
        ]
        read_only_fields = [
            "id",
            "username",
            "email",
            "member_number",
            "is_staff",
            "is_superuser",
        ]

    def get_memberships(self, obj) -> list[dict]:
        from deliberation.members.selectors import memberships_of

        return cast(
            list[dict], MembershipSerializer(memberships_of(obj), many=True).data
        )

    def get_roles(self, obj) -> list[dict]:
        from deliberation.members.selectors import roles_of

        return [
            {
                "id": r.pk,
                "role": r.role,
                "unit": UnitBriefSerializer(r.unit).data,
                "starts": r.starts,
                "ends": r.ends,
            }
            for r in roles_of(obj)
        ]


class RoleTermSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "unit", "role", "starts", "ends", "ended_at", "is_current"]


class MemberProfileSerializer(serializers.ModelSerializer):
    """A member's public profile: name, units and role terms (roles are public)."""

    name = serializers.CharField(source="display_name", read_only=True)
    units = serializers.SerializerMethodField()
    roles = RoleTermSerializer(source="role_terms", many=True, read_only=True)

    class Meta:
        model = Member
        fields = ["id", "username", "name", "units", "roles"]

    @extend_schema_field(UnitBriefSerializer(many=True))
    def get_units(self, member: Member) -> list[dict[str, Any]]:
        return [
            cast(dict[str, Any], UnitBriefSerializer(m.unit).data)
            for m in member.current_memberships  # type: ignore[attr-defined]
        ]
