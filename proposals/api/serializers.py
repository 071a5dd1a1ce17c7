from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deliberation.members.models import Member, Unit
from deliberation.members.payloads import member_ref
from proposals.models import (
    Amendment,
    Policy,
    Proposal,
    ProposalKind,
    Revision,
    StateChange,
    Topic,
)
from proposals.selectors import alternatives_of, authorships_of, topic_refs
from proposals.services import BODY_MAX, CLAUSE_MAX, CLAUSES_MAX, TITLE_MAX


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "description"]


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class CoauthorRefSerializer(MemberRefSerializer):
    accepted = serializers.BooleanField()


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Policy
        fields = [
            "id",
            "unit",
            "is_default",
            "admission_quorum",
            "support_days",
            "discussion_days",
            "freeze_days",
            "voting_days",
            "majority",
            "turnout_quorum",
            "ballot",
            "delegation_allowed",
            "delegation_cap",
            "delegation_days",
            "amendment_quorum",
            "rules_majority",
            "updated",
            "version",
            "effective_from",
            "source",
            "reason",
            "changes",
            "adopted_by",
            "lapses_at",
            "lapsed_at",
            "confirmed_at",
            "confirmed_by",
        ]
        read_only_fields = [
            "id",
            "unit",
            "is_default",
            "updated",
            "version",
            "effective_from",
            "source",
            "reason",
            "changes",
            "adopted_by",
            "lapses_at",
            "lapsed_at",
            "confirmed_at",
            "confirmed_by",
        ]


class PolicyVersionSerializer(PolicySerializer):
    """A version with the proposal that adopted it and whether it is in force."""

    adopted_by = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()

    class Meta(PolicySerializer.Meta):
        fields = [*PolicySerializer.Meta.fields, "in_force", "vote_result"]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_adopted_by(self, obj) -> dict | None:
        p = obj.adopted_by
        return None if p is None else {"id": p.pk, "title": p.title, "state": p.state}

    def get_in_force(self, obj) -> bool:
        """This is the unit's own version in force now."""
        return obj.pk == self.context.get("current")


class PolicyWriteSerializer(PolicySerializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, write_only=True
    )

    class Meta(PolicySerializer.Meta):
        fields = [*PolicySerializer.Meta.fields, "reason"]
        validators: list = []  # a change is a new version; the service numbers it


class StateChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StateChange
        fields = ["from_state", "to_state", "at", "cause", "actor"]

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_actor(self, obj):
        return member_ref(obj.actor)


class ProposalSerializer(serializers.ModelSerializer):
    """The proposal as read (list and detail; the detail adds history)."""

    clauses = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    coauthors = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # null while a proposal has no running phase (a draft, a decided one)
    deadline = serializers.DateTimeField(
        source="phase_ends", read_only=True, allow_null=True
    )
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    voting_ends = serializers.DateTimeField(read_only=True, allow_null=True)
    viewer_supports = serializers.BooleanField(read_only=True, default=False)
    viewer_follows = serializers.BooleanField(read_only=True, default=False)
    poll = serializers.IntegerField(
        source="poll_id", read_only=True, default=None, allow_null=True
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "body",
            "body_html",
            "clauses",
            "state",
            "unit",
            "unit_name",
            "topics",
            "authors",
            "coauthors",
            "thread",
            "support_count",
            "support_needed",
            "eligible_count",
            "policy",
            "revision",
            "phase_ends",
            "deadline",
            "days_left",
            "voting_ends",
            "alternative_to",
            "kind",
            "rule_changes",
            "rules_effective_from",
            "created",
            "updated",
            "published_at",
            "viewer_supports",
            "viewer_follows",
            "poll",
            "url",
        ]

    def get_clauses(self, obj) -> list[str]:
        return obj.effective_clauses

    def get_topics(self, obj) -> list[int]:
        return [pk for pk, _name in topic_refs(obj)]

    @extend_schema_field(MemberRefSerializer(many=True))
    def get_authors(self, obj) -> list[dict]:
        return [member_ref(a.member) for a in authorships_of(obj) if a.accepted_at]

    @extend_schema_field(CoauthorRefSerializer(many=True))
    def get_coauthors(self, obj) -> list[dict]:
        return [
            {**member_ref(a.member), "accepted": a.accepted_at is not None}
            for a in authorships_of(obj)
            if not a.is_creator
        ]

    def get_url(self, obj) -> str:
        return f"/proposals/{obj.pk}/"

    def to_representation(self, instance: Proposal) -> dict:
        """The declared fields, built in one step: a list answers up to 100 of
        these, and DRF's field-by-field path was about 40 % of the request. The
        same output as `ModelSerializer.to_representation` (the declared fields
        stay the schema) — tests/proposals/test_api.py compares the two."""
        p = instance
        authors = authorships_of(p)
        return {
            "id": p.pk,
            "title": p.title,
            "body": p.body,
            "body_html": p.body_html,
            "clauses": p.effective_clauses,
            "state": p.state,
            "unit": p.unit_id,
            "unit_name": p.unit.name,
            "topics": [pk for pk, _name in topic_refs(p)],
            "authors": [member_ref(a.member) for a in authors if a.accepted_at],
            "coauthors": [
                {**member_ref(a.member), "accepted": a.accepted_at is not None}
                for a in authors
                if not a.is_creator
            ],
            "thread": p.thread_id,
            "support_count": p.support_count,
            "support_needed": p.support_needed,
            "eligible_count": p.eligible_count,
            "policy": p.policy_id,
            "revision": p.revision,
            "phase_ends": _when(p.phase_ends),
            "deadline": _when(p.phase_ends),
            "days_left": p.days_left,
            "voting_ends": _when(p.voting_ends),
            "alternative_to": p.alternative_to_id,
            "kind": p.kind,
            "rule_changes": p.rule_changes,
            "rules_effective_from": _when(p.rules_effective_from),
            "created": _when(p.created),
            "updated": _when(p.updated),
            "published_at": _when(p.published_at),
            "viewer_supports": bool(getattr(p, "viewer_supports", False)),
            "viewer_follows": bool(getattr(p, "viewer_follows", False)),
            "poll": getattr(p, "poll_id", None),
            "url": f"/proposals/{p.pk}/",
        }


_DATETIME = serializers.DateTimeField()


def _when(value) -> str | None:
    """A datetime as DRF's DateTimeField writes it (the current time zone, ISO)."""
    return None if value is None else _DATETIME.to_representation(value)


class ProposalDetailSerializer(ProposalSerializer):
    state_changes = StateChangeSerializer(many=True, read_only=True)
    alternatives = serializers.SerializerMethodField()
    policy = PolicySerializer(read_only=True, allow_null=True)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "state_changes", "alternatives"]

    def to_representation(self, instance: Proposal) -> dict:
        # One proposal: DRF's own path over every declared field.
        return serializers.ModelSerializer.to_representation(self, instance)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_alternatives(self, obj) -> list[dict]:
        return [
            {"id": a.pk, "title": a.title, "state": a.state}
            for a in alternatives_of(obj)
        ]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": CLAUSE_MAX},
            {
                "type": "object",
                "properties": {"field": {"type": "string"}, "value": {}},
                "required": ["field", "value"],
            },
        ]
    }
)
class ClauseField(serializers.Field):
    """A clause: text, or for a rule proposal a rule change `{"field", "value"}`."""

    default_error_messages = {
        "invalid": _('A clause is a text, or for a rule proposal {"field", "value"}.'),
        "too_long": _("A clause has at most %(n)d characters.") % {"n": CLAUSE_MAX},
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > CLAUSE_MAX:
                self.fail("too_long")
            return data
        if isinstance(data, dict):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(
        max_length=BODY_MAX, required=False, allow_blank=True, default=""
    )
    kind = serializers.ChoiceField(
        choices=ProposalKind.choices, required=False, default=ProposalKind.ORDINARY
    )
    clauses = serializers.ListField(
        child=ClauseField(),
        max_length=CLAUSES_MAX,
        required=False,
        default=list,
    )
    rules_effective_from = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False
    )
    topics = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), many=True, required=False, default=list
    )
    coauthors = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), many=True, required=False, default=list
    )
    publish = serializers.BooleanField(required=False, default=False)
    alternative_to = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.published(),
        required=False,
        allow_null=True,
        default=None,
    )

    def validate(self, attrs):
        if attrs.get("alternative_to") is None and attrs.get("unit") is None:
            raise serializers.ValidationError({"unit": ["This field is required."]})
        clauses = attrs.get("clauses") or []
        if attrs.get("kind") == ProposalKind.RULES:
            if not all(isinstance(c, dict) for c in clauses):
                raise serializers.ValidationError(
                    {
                        "clauses": [
                            _(
                                "The clauses of a rule proposal are rule changes: "
                                '[{"field", "value"}].'
                            )
                        ]
                    }
                )
            attrs["rule_changes"], attrs["clauses"] = clauses, None
        elif not all(isinstance(c, str) for c in clauses):
            raise serializers.ValidationError(
                {
                    "clauses": [
                        _('Rule changes {"field", "value"} need "kind": "rules".')
                    ]
                }
            )
        return attrs


class ProposalUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    body = serializers.CharField(max_length=BODY_MAX, required=False, allow_blank=True)
    clauses = serializers.ListField(
        child=serializers.CharField(max_length=CLAUSE_MAX, allow_blank=True),
        max_length=CLAUSES_MAX,
        required=False,
    )
    topics = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), many=True, required=False
    )
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class SupportSerializer(serializers.Serializer):
    support_count = serializers.IntegerField()
    support_needed = serializers.IntegerField()
    state = serializers.CharField()
    days_left = serializers.IntegerField(allow_null=True)


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    note = serializers.CharField(
        source="display_note",
        read_only=True,
        help_text="In the reader's language for the system's notes (see note_code).",
    )

    class Meta:
        model = Revision
        fields = [
            "number",
            "title",
            "body",
            "clauses",
            "author",
            "note",
            "note_code",
            "amendment",
            "created",
        ]

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_author(self, obj):
        return member_ref(obj.author)


class AmendmentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    viewer_supports = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Amendment
        fields = [
            "id",
            "proposal",
            "author",
            "target",
            "clause",
            "original",
            "replacement",
            "rationale",
            "rationale_html",
            "revision",
            "state",
            "support_count",
            "support_needed",
            "thread",
            "created",
            "decided_at",
            "viewer_supports",
        ]

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_author(self, obj):
        return member_ref(obj.author)


class AmendmentCreateSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Amendment.Target.choices, default="body")
    clause = serializers.IntegerField(
        min_value=1,
        max_value=CLAUSES_MAX,
        required=False,
        allow_null=True,
        default=None,
    )
    original = serializers.CharField(
        max_length=BODY_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The passage to change, as it stands; "
        "empty: the whole title, rationale or clause.",
    )
    replacement = serializers.CharField(max_length=BODY_MAX, allow_blank=True)
    rationale = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class SimilarSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "state",
            "support_count",
            "support_needed",
            "unit_name",
        ]
