"""Congresses, their delegates, the items forwarded to them (with a snapshot of the
members' result per decision clause), the responses bodies owe, delegates' reviews
and roll-call votes, decisions and follow-ups. See docs/congress.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VOTES = ("yes", "no", "abstain")


class CongressState(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    IN_SESSION = "in_session", _("In session")
    CLOSED = "closed", _("Closed")


class Congress(models.Model):
    name = models.CharField(_("name"), max_length=200)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    window_opens = models.DateTimeField(
        _("forwarding window opens"),
        help_text="Proposals adopted or admitted from this moment on are forwarded.",
    )
    items_deadline = models.DateTimeField(_("deadline for items"))
    answer_days = models.PositiveSmallIntegerField(
        _("days bodies have to answer"), default=21
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts", "-id"]
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="congress_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(items_deadline__gt=models.F("window_opens")),
                name="congress_deadline_after_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/congress/{self.pk}/"

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if self.closed_at is not None or today > self.ends:
            return CongressState.CLOSED
        if today >= self.starts:
            return CongressState.IN_SESSION
        return CongressState.PREPARING

    def get_state_display(self) -> str:
        return str(CongressState(self.state).label)

    def takes_items(self, at) -> bool:
        return self.closed_at is None and self.window_opens <= at <= self.items_deadline


class Delegate(models.Model):
    """A member who represents a unit at a congress (public)."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="delegates"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegacies"
    )
    unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="delegates"
    )
    chosen = models.CharField(_("how they were chosen"), max_length=300)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["congress", "unit__path", "member__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "member"], name="one_delegacy_per_congress"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.unit})"


class Route(models.TextChoices):
    ADOPTED = "adopted", _("Adopted by the members' vote")
    SUPPORT = "support", _("Reached the national admission quorum")


class Decision(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    AMENDED = "amended", _("Adopted as amended")
    REFERRED = "referred", _("Referred")


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class CongressItem(models.Model):
    """A proposal forwarded to a congress, with the members' result as it was at
    the close of their vote (turnout, per-unit breakdown that passed the secrecy
    floor, delegated weight of open polls), kept so lists and exports read one row."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="items"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="congress_items"
    )
    route = models.CharField(max_length=12, choices=Route.choices)
    forwarded_at = models.DateTimeField(default=timezone.now)
    poll = models.ForeignKey(
        "voting.Poll",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    eligible = models.PositiveIntegerField(null=True, blank=True)
    participations = models.PositiveIntegerField(null=True, blank=True)
    turnout = models.FloatField(null=True, blank=True)
    margin = models.FloatField(
        null=True, blank=True, help_text="(yes − no) / (yes + no) of the first clause"
    )
    ballot = models.CharField(max_length=8, blank=True)
    delegated_weight = models.PositiveIntegerField(null=True, blank=True)
    breakdown = models.JSONField(default=list, blank=True)
    thread = models.OneToOneField(
        "discussions.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="congress_item",
    )
    decision = models.CharField(
        max_length=12, choices=Decision.choices, blank=True, default=""
    )
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    followup_status = models.CharField(
        max_length=12,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.NOT_STARTED,
    )

    class Meta:
        ordering = ["congress", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "proposal"], name="one_item_per_proposal"
            )
        ]
        indexes = [models.Index(fields=["congress", "id"], name="congress_item_list")]

    def __str__(self) -> str:
        return f"{self.congress_id}: {self.proposal_id}"

    def get_absolute_url(self) -> str:
        return f"/congress/{self.congress_id}/items/{self.pk}/"


class ItemClause(models.Model):
    """One decision clause of an item, with the members' counts for it."""

    item = models.ForeignKey(
        CongressItem, on_delete=models.CASCADE, related_name="clauses"
    )
    number = models.PositiveSmallIntegerField()  # 1-based
    text = models.TextField()
    member_yes = models.PositiveIntegerField(null=True, blank=True)
    member_no = models.PositiveIntegerField(null=True, blank=True)
    member_abstain = models.PositiveIntegerField(null=True, blank=True)
    member_outcome = models.CharField(max_length=12, blank=True)
    question = models.PositiveBigIntegerField(null=True, blank=True)
    decision = models.CharField(
        max_length=12, choices=Decision.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="one_item_clause_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} §{self.number}"


class DelegateVote(models.Model):
    """A delegate's roll-call vote on one clause: public, with an explanation."""

    clause = models.ForeignKey(
        ItemClause, on_delete=models.CASCADE, related_name="delegate_votes"
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="votes"
    )
    vote = models.CharField(max_length=8, choices=[(v, v) for v in VOTES])
    explanation = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clause", "delegate"]
        constraints = [
            models.UniqueConstraint(
                fields=["clause", "delegate"], name="one_delegate_vote_per_clause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delegate_id} {self.vote} on {self.clause_id}"


class Review(models.Model):
    """A delegate has read the dossier, with their recommendation."""

    item = models.ForeignKey(
        CongressItem, on_delete=models.CASCADE, related_name="reviews"
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="reviews"
    )
    recommendation = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "delegate"], name="one_review_per_delegate"
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.item_id} by {self.delegate_id}"


class AnswerRequest(models.Model):
    """A body (a unit, answered by its role holders) owes the item a response by
    `due`. Past it without one, the item shows "answer overdue" (`overdue_at`) and
    its followers are told once."""

    item = models.ForeignKey(
        CongressItem, on_delete=models.CASCADE, related_name="answer_requests"
    )
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, related_name="+")
    due = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit"], name="one_answer_request_per_unit"
            )
        ]
        indexes = [models.Index(fields=["answered_at", "overdue_at", "due"])]

    def __str__(self) -> str:
        return f"{self.unit_id} owes {self.item_id}"


class Position(models.TextChoices):
    SUPPORT = "support", _("Support")
    REJECT = "reject", _("Reject")
    AMEND = "amend", _("Amend")


class ItemResponse(models.Model):
    """A unit's (or a role holder's) published statement on one clause."""

    item = models.ForeignKey(
        CongressItem, on_delete=models.CASCADE, related_name="responses"
    )
    clause = models.ForeignKey(
        ItemClause, on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=16)
    position = models.CharField(max_length=8, choices=Position.choices)
    text = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "clause__number", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clause", "unit"], name="one_response_per_unit_and_clause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.position} {self.clause_id}"


class FollowUpUpdate(models.Model):
    """A dated update of an adopted item's implementation."""

    item = models.ForeignKey(
        CongressItem, on_delete=models.CASCADE, related_name="followups"
    )
    status = models.CharField(max_length=12, choices=FollowUpStatus.choices)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "created", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"
