from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from deliberation.api.fields import IdField
from deliberation.discussions.models import (
    Appeal,
    AppealOutcome,
    Comment,
    LiveSession,
    ModerationAction,
    ReactionKind,
    Stance,
    Thread,
)
from deliberation.discussions.services import author_payload
from deliberation.markdown import render_markdown

REACTION_KINDS = tuple(ReactionKind.values)


class ThreadSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    live_now = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "unit",
            "kind",
            "created_by",
            "created",
            "last_seq",
            "comment_count",
            "last_activity",
            "live_now",
            "url",
        ]

    def get_live_now(self, obj) -> bool:
        return bool(getattr(obj, "live_now", False))

    def get_created_by(self, obj) -> dict | None:
        return author_payload(obj.created_by) if obj.created_by_id else None

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class ThreadInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    unit = IdField()


class CommentSerializer(serializers.ModelSerializer):
    """Needs `present_comments` to have run (sets `can_see_text`/`shown_html`) and
    `reacted` (set of (comment_id, kind)) in the context."""

    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()
    my_reactions = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "thread",
            "parent",
            "depth",
            "author",
            "stance",
            "body",
            "body_html",
            "seq",
            "created",
            "edited",
            "deleted",
            "hidden",
            "hidden_reason",
            "reactions",
            "reaction_total",
            "my_reactions",
        ]

    def to_representation(self, instance) -> dict[str, Any]:
        """The fields above, built directly: DRF's generic loop costs more than the
        rest of a page of comments. Dates through DRF's own DateTimeField (time
        zone, "Z"); tests hold this equal to `ModelSerializer.to_representation`."""
        obj = instance
        fields = self.fields
        counts = obj.reaction_counts or {}
        reacted = self.context.get("reacted") or set()
        visible = getattr(obj, "can_see_text", not obj.hidden)
        return {
            "id": obj.pk,
            "thread": obj.thread_id,
            "parent": obj.parent_id,
            "depth": obj.depth,
            "author": author_payload(obj.author),
            "stance": obj.stance,
            "body": obj.body if visible else "",
            "body_html": getattr(obj, "shown_html", obj.body_html),
            "seq": obj.seq,
            "created": fields["created"].to_representation(obj.created),
            "edited": (
                fields["edited"].to_representation(obj.edited) if obj.edited else None
            ),
            "deleted": obj.deleted is not None,
            "hidden": bool(obj.hidden),
            "hidden_reason": obj.hidden_reason,
            "reactions": {k: counts.get(k, 0) for k in REACTION_KINDS},
            "reaction_total": obj.reaction_total,
            "my_reactions": [k for k in REACTION_KINDS if (obj.pk, k) in reacted],
        }

    def get_author(self, obj) -> dict:
        return author_payload(obj.author)

    def get_body(self, obj) -> str:
        return obj.body if getattr(obj, "can_see_text", not obj.hidden) else ""

    def get_body_html(self, obj) -> str:
        return getattr(obj, "shown_html", obj.body_html)

    def get_deleted(self, obj) -> bool:
        return obj.deleted is not None

    def get_reactions(self, obj) -> dict:
        return {k: (obj.reaction_counts or {}).get(k, 0) for k in ReactionKind.values}

    def get_my_reactions(self, obj) -> list[str]:
        reacted = self.context.get("reacted") or set()
        return [k for k in ReactionKind.values if (obj.pk, k) in reacted]


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    stance = serializers.ChoiceField(
        choices=Stance.choices, required=False, default=Stance.NEUTRAL
    )
    # Named like Field.parent (typeddjango/djangorestframework-stubs#158).
    parent: Any = IdField(required=False, allow_null=True, default=None)


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, required=False
    )
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)


class ReactionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class DecideSerializer(serializers.Serializer):
    """`{"outcome": "upheld" | "granted", "reason"}` — upheld: the comment stays
    hidden; granted: it is restored. No other spelling is accepted."""

    outcome = serializers.ChoiceField(
        choices=AppealOutcome.choices,
        error_messages={
            "invalid_choice": _(
                "Choose “upheld” (stays hidden) or “granted” (restored)."
            ),
            "required": _("Choose “upheld” (stays hidden) or “granted” (restored)."),
        },
    )
    reason = serializers.CharField(max_length=1000)


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id")
    reason = serializers.CharField()
    created = serializers.DateTimeField()


class OpenFlagSerializer(FlagSerializer):
    """For moderators: who flagged what, with the comment's thread."""

    thread = serializers.IntegerField(source="comment.thread_id")
    flagged_by = serializers.SerializerMethodField()

    def get_flagged_by(self, obj) -> dict:
        return author_payload(obj.member)


class ModerationActionSerializer(serializers.ModelSerializer):
    moderator = serializers.SerializerMethodField()
    thread_title = serializers.CharField(source="thread.title", read_only=True)

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "kind",
            "comment",
            "thread",
            "thread_title",
            "unit",
            "moderator",
            "reason",
            "created",
        ]

    def get_moderator(self, obj) -> dict:
        return author_payload(obj.moderator)


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "comment",
            "author",
            "hidden_by",
            "reason",
            "created",
            "decided_by",
            "decided",
            "outcome",
            "decision_reason",
        ]


class LiveSessionSerializer(serializers.ModelSerializer):
    facilitator = serializers.SerializerMethodField()
    live = serializers.SerializerMethodField()
    minutes_html = serializers.SerializerMethodField()

    class Meta:
        model = LiveSession
        fields = [
            "id",
            "thread",
            "unit",
            "facilitator",
            "title",
            "agenda",
            "starts",
            "ends",
            "live",
            "closed",
            "minutes",
            "minutes_html",
        ]

    def get_facilitator(self, obj) -> dict:
        return author_payload(obj.facilitator)

    def get_live(self, obj) -> bool:
        return obj.is_live()

    def get_minutes_html(self, obj) -> str:
        return render_markdown(obj.minutes) if obj.minutes else ""


class LiveSessionInputSerializer(serializers.Serializer):
    """`starts`/`ends` (also accepted: `starts_at`/`ends_at`, `start`/`end`), or
    `duration_minutes`; the defaults (an hour; the agenda's first line as the title)
    are the service's (`schedule_live_session`)."""

    ALIASES = {
        "starts_at": "starts",
        "start": "starts",
        "scheduled_for": "starts",
        "ends_at": "ends",
        "end": "ends",
    }
    unit = IdField()
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    agenda = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    starts = serializers.DateTimeField()
    ends = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(
        required=False, min_value=5, max_value=24 * 60
    )
    thread = IdField(required=False, allow_null=True, default=None)

    def to_internal_value(self, data):
        if hasattr(data, "items"):
            data = {
                self.ALIASES.get(k, k): v
                for k, v in data.items()
                if not (k in self.ALIASES and self.ALIASES[k] in data)
            }
        return super().to_internal_value(data)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000)
