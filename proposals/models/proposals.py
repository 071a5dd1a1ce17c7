"""Proposals with their authors, revisions, support and state history.

States (DESIGN.md §3, docs/proposals.md):
draft → gathering_support → discussion → frozen → voting → adopted | rejected,
plus withdrawn and expired. Transitions are services in `proposals/services/`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.members.viewer import signed_in

from .policies import Policy, Topic

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    GATHERING_SUPPORT = "gathering_support", _("Gathering support")
    DISCUSSION = "discussion", _("In discussion")
    FROZEN = "frozen", _("Frozen")
    VOTING = "voting", _("Voting")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


EDITABLE_STATES = {State.DRAFT, State.GATHERING_SUPPORT, State.DISCUSSION}


SUPPORTABLE_STATES = {State.GATHERING_SUPPORT, State.DISCUSSION}


# A proposal climbs to the parent unit while it still takes support (docs/flat.md).
CLIMBING_STATES = {State.GATHERING_SUPPORT, State.DISCUSSION}


SCHEDULED_STATES = {State.GATHERING_SUPPORT, State.DISCUSSION, State.FROZEN}


OPEN_STATES = {State.GATHERING_SUPPORT, State.DISCUSSION, State.FROZEN, State.VOTING}


class ProposalQuerySet(models.QuerySet):
    def published(self):
        """Proposals that have been published (`published_at` is set when a draft
        moves on). A draft withdrawn before publication stays unpublished: private
        to its authors like any draft (docs/permissions.md)."""
        return self.filter(published_at__isnull=False)

    def visible_to(self, member: Viewer | None) -> ProposalQuerySet:
        """Published proposals, plus unpublished ones the member writes (as author or
        invitee). The member's unpublished ids are read first (one small indexed
        query) so that the main filter stays simple."""
        if not signed_in(member):
            return self.published()
        draft_ids = list(
            ProposalAuthor.objects.filter(
                member=member, proposal__published_at__isnull=True
            ).values_list("proposal_id", flat=True)
        )
        if not draft_ids:
            return self.published()
        return self.filter(Q(published_at__isnull=False) | Q(pk__in=draft_ids))


class ProposalKind(models.TextChoices):
    ORDINARY = "ordinary", _("Proposal")
    RULES = "rules", _("Rule proposal")


class Proposal(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=ProposalKind.choices,
        default=ProposalKind.ORDINARY,
    )
    # a rule proposal's clauses, structured: [{"field", "value"}] (docs/flat.md)
    rule_changes = models.JSONField(default=list, blank=True)
    rules_effective_from = models.DateTimeField(
        _("new rules take effect"), null=True, blank=True
    )
    body = models.TextField(_("rationale"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    clauses = models.JSONField(_("decision clauses"), default=list, blank=True)
    unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="proposals"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="proposals")
    policy = models.ForeignKey(
        Policy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    thread = models.OneToOneField(
        "discussions.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    alternative_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alternatives",
    )
    revision = models.PositiveIntegerField(default=1)
    support_count = models.PositiveIntegerField(default=0)
    support_needed = models.PositiveIntegerField(default=0)
    eligible_count = models.PositiveIntegerField(default=0)
    phase_ends = models.DateTimeField(_("current phase ends"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    discussion_started_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    voting_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["state", "phase_ends"], name="proposal_state_due"),
            models.Index(fields=["state", "id"], name="proposal_state_id"),
            models.Index(fields=["unit", "state"], name="proposal_unit_state"),
            models.Index(fields=["-created", "-id"], name="proposal_newest"),
            models.Index(
                fields=["-support_count", "-id"], name="proposal_most_supported"
            ),
            models.Index(fields=["phase_ends", "id"], name="proposal_closing"),
            # "published" (published_at set) is the read rule of every list: counting
            # 10,000 rows stays an index-only scan (docs/permissions.md).
            models.Index(fields=["published_at", "id"], name="proposal_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alternative_to=models.F("id")),
                name="proposal_not_its_own_alternative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_clauses(self) -> list[str]:
        return list(self.clauses) or [self.title]

    @property
    def days_left(self) -> int | None:
        if not self.phase_ends or self.state not in SCHEDULED_STATES | {State.VOTING}:
            return None
        seconds = (self.phase_ends - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    @property
    def voting_ends(self):
        return self.phase_ends if self.state == State.VOTING else None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class ProposalAuthor(models.Model):
    """An author (the one who wrote it) or an invited co-author, who counts as an
    author once they accept."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="authorships"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorships"
    )
    is_creator = models.BooleanField(default=False)
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_creator", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="one_authorship_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.proposal}"

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class Revision(models.Model):
    """An immutable version of the text. Number 1 is the first text."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    clauses = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)  # the author's own words
    # What the system says about the version, rendered at display time in the
    # reader's language (`display_note`): "" (an edit), "first", "amendment".
    note_code = models.CharField(max_length=20, blank=True, default="")
    amendment = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="one_revision_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal} (r{self.number})"

    @property
    def display_note(self) -> str:
        if self.note_code == "first":
            return str(_("First version"))
        if self.note_code == "amendment":
            if self.amendment_id is None:
                return str(_("An amendment accepted"))
            return str(_("Amendment #%(n)d accepted") % {"n": self.amendment_id})
        return self.note


class Support(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supports"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proposal_supports",
    )
    # Where the supporter came from when they supported (their deepest unit inside
    # the proposal's reach then): the spread view and the climb rule count by it.
    unit = models.ForeignKey(
        "members.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="one_support_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} supports {self.proposal_id}"


class Cause(models.TextChoices):
    AUTHOR = "author", _("by the authors")
    SUPPORT = "support", _("quorum of support reached")
    SCHEDULE = "schedule", _("on schedule")
    ALTERNATIVE = "alternative", _("joined as an alternative")
    RESULT = "result", _("vote result")
    CLIMBED = "climbed", _("climbed to a higher unit")


class StateChange(models.Model):
    """Every move of a proposal, with when and why. A proposal enters each state at
    most once (the constraint makes a double transition impossible)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    at = models.DateTimeField()
    recorded = models.DateTimeField(auto_now_add=True)
    cause = models.CharField(max_length=16, choices=Cause.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["proposal", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "to_state"], name="enter_each_state_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"
