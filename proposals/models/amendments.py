"""Amendments: a member's suggestion to replace a passage of a proposal, with its
own support."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class AmendmentState(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted by the authors")
    TO_VOTE = "to_vote", _("Goes to the vote")
    LAPSED = "lapsed", _("Lapsed (too little support)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Amendment(models.Model):
    """A suggested change of one passage: `original` (text found in the title, the
    rationale or a clause) becomes `replacement`."""

    class Target(models.TextChoices):
        TITLE = "title", _("Title")
        BODY = "body", _("Rationale")
        CLAUSE = "clause", _("Clause")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="amendments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="amendments",
    )
    target = models.CharField(max_length=8, choices=Target.choices, default=Target.BODY)
    clause = models.PositiveSmallIntegerField(null=True, blank=True)
    original = models.TextField(_("passage"))
    replacement = models.TextField(_("replacement"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    rationale_html = models.TextField(blank=True, editable=False)
    revision = models.PositiveIntegerField(_("written against revision"))
    state = models.CharField(
        max_length=12, choices=AmendmentState.choices, default=AmendmentState.OPEN
    )
    support_count = models.PositiveIntegerField(default=0)
    support_needed = models.PositiveIntegerField(default=1)
    thread = models.OneToOneField(
        "discussions.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amendment",
    )
    created = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["proposal", "created", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.proposal_id}"


class AmendmentSupport(models.Model):
    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="supports"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "member"], name="one_amendment_support_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} supports amendment {self.amendment_id}"
