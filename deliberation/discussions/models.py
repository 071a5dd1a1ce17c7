"""Threads, their durable event stream (seq), comments, reactions, mentions, flags,
moderation (public log + appeals) and live sessions. See docs/realtime.md."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal discussion")
    AMENDMENT = "amendment", _("Amendment discussion")
    UNIT = "unit", _("Unit discussion")
    CONGRESS = "congress", _("Congress item follow-up")


class Thread(models.Model):
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="threads"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ThreadKind.choices, default=ThreadKind.UNIT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/threads/{self.pk}/"


class ThreadEvent(models.Model):
    """Every live event of a thread, stored with its per-thread `seq` so that a client
    that reconnects gets exactly what it missed (`resume`)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["thread", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "seq"], name="one_event_per_seq")
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.seq} {self.type}"

    def as_message(self) -> dict:
        oid = self.object_id
        return {
            "type": self.type,
            "id": int(oid) if oid.isdigit() else oid,
            "seq": self.seq,
            "data": self.data,
        }


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    QUESTION = "question", _("Question")
    NEUTRAL = "neutral", _("Neutral")


class ReactionKind(models.TextChoices):
    LIKE = "like", _("Like")
    AGREE = "agree", _("Agree")
    INSIGHTFUL = "insightful", _("Insightful")


class Comment(models.Model):
    """One comment. Replies point at `parent` and at the top-level comment (`root`) so
    a page of top-level comments and all their replies are two queries.
    `reaction_counts`/`reaction_total` are kept in step by the reaction services
    (under a row lock) so lists never count reactions per row."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    stance = models.CharField(
        _("stance"), max_length=16, choices=Stance.choices, default=Stance.NEUTRAL
    )
    body = models.TextField(_("comment"), blank=True)
    body_html = models.TextField(blank=True)
    seq = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    edited = models.DateTimeField(null=True, blank=True)
    deleted = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    reaction_counts = models.JSONField(default=dict, blank=True)
    reaction_total = models.PositiveIntegerField(default=0)

    # Not stored, attached for display: what this viewer sees
    # (selectors.present_comments, attach_reactions), the replies (thread_page) and
    # the open flags a moderator sees (frontend thread pages).
    is_own: bool
    can_see_text: bool
    shown_html: str
    reaction_list: list[tuple[str, str, int, bool]]
    children: "list[Comment]"
    open_flags: int

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["thread", "root", "created"]),
            models.Index(fields=["thread", "stance", "reaction_total"]),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_id}"


class CommentSearch(models.Model):
    """A comment's full-text vector (Swedish and English), apart from the comment so
    that thread pages never load it. Kept by a PostgreSQL trigger on every insert and
    body change (migration 0007), so every write path keeps it true; unused on
    SQLite, where search falls back to `icontains` (deliberation/search)."""

    comment = models.OneToOneField(
        Comment,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_doc",
    )
    vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"search vector of #{self.comment_id}"


class CommentRevision(models.Model):
    """The text a comment had before an edit (edits keep their history)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField()
    stance = models.CharField(max_length=16, choices=Stance.choices)
    created = models.DateTimeField()  # when this text was written
    replaced = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "created", "id"]

    def __str__(self) -> str:
        return f"revision of #{self.comment_id}"


class Reaction(models.Model):
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reactions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ReactionKind.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member", "kind"], name="one_reaction_of_a_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.comment_id}"


class Mention(models.Model):
    """`@username` in a comment. Notifications read these (another area)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="mentions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member"], name="one_mention_per_comment"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.member_id} in #{self.comment_id}"


class Flag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member"], name="one_flag_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"flag on #{self.comment_id}"


class ModerationKind(models.TextChoices):
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal rejected, stays hidden")
    APPEAL_GRANTED = "appeal_granted", _("Appeal granted, restored")


class ModerationAction(models.Model):
    """Public: every hide/restore/appeal decision with who, when and why."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, related_name="+")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ModerationKind.choices)
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.comment_id}"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Stays hidden")
    GRANTED = "granted", _("Restored")


class Appeal(models.Model):
    """The author's one appeal against hiding; decided by another moderator."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="appeals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        ModerationAction, on_delete=models.PROTECT, related_name="+"
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["comment"], name="one_appeal_per_comment"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("hidden_by")),
                name="appeal_decided_by_another_moderator",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("author")),
                name="appeal_not_decided_by_its_author",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal on #{self.comment_id}"


class LiveSession(models.Model):
    """A scheduled discussion in a branch: the thread is highlighted while it runs and
    the facilitator closes it with minutes, kept on the thread."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="sessions"
    )
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, related_name="+")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    closed = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    start_announced = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="live_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, at=None) -> bool:
        at = at or timezone.now()
        return self.closed is None and self.starts <= at < self.ends
