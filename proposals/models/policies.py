"""Topics (policy areas) and proposal policies: a unit's quorum and phase lengths."""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A policy area (e.g. climate, housing) that proposals are filed under."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Majority(models.TextChoices):
    SIMPLE = "simple", _("Simple majority")
    TWO_THIRDS = "two_thirds", _("Two-thirds majority")


class BallotKind(models.TextChoices):
    SECRET = "secret", _("Secret ballot")
    OPEN = "open", _("Open ballot")


class PolicySource(models.TextChoices):
    DEFAULT = "default", _("Default rules")
    BOOTSTRAP = "bootstrap", _("First rules, set by administrators")
    EMERGENCY = "emergency", _("Emergency change by administrators")
    RULES_VOTE = "rules_vote", _("Adopted by a member vote")


class Policy(models.Model):
    """One version of the rules a unit's proposals follow (docs/flat.md). Versions are
    never edited: a change is a new row with a higher `version`, effective from its
    `effective_from`; a proposal keeps the version it was published under. A unit
    without its own versions uses its nearest ancestor's; the default policy
    (`is_default`) applies when none has one. An administrators' emergency version
    stops applying at `lapses_at` unless a rule proposal confirmed it."""

    unit = models.ForeignKey(
        "members.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policies",
    )
    is_default = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    effective_from = models.DateTimeField(_("in force from"), default=timezone.now)
    source = models.CharField(
        _("decided by"),
        max_length=12,
        choices=PolicySource.choices,
        default=PolicySource.BOOTSTRAP,
    )
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(default=dict, blank=True)  # field → [before, after]
    adopted_by = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted_policies",
    )
    vote_result = models.JSONField(default=dict, blank=True)
    lapses_at = models.DateTimeField(_("lapses at"), null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_policies",
    )
    rules_majority = models.CharField(
        _("majority a rule proposal needs"),
        max_length=16,
        choices=Majority.choices,
        default=Majority.TWO_THIRDS,
    )
    admission_quorum = models.DecimalField(
        _("admission quorum (share of eligible members)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
        validators=[
            MinValueValidator(Decimal("0.0001")),
            MaxValueValidator(Decimal("1")),
        ],
    )
    support_days = models.PositiveSmallIntegerField(
        _("days to reach the quorum"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    discussion_days = models.PositiveSmallIntegerField(
        _("discussion days"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    freeze_days = models.PositiveSmallIntegerField(
        _("freeze days"), default=3, validators=[MaxValueValidator(60)]
    )
    voting_days = models.PositiveSmallIntegerField(
        _("voting days"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    majority = models.CharField(
        _("majority"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE
    )
    turnout_quorum = models.DecimalField(
        _("turnout quorum (share of eligible voters)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    ballot = models.CharField(
        _("ballot"), max_length=8, choices=BallotKind.choices, default=BallotKind.SECRET
    )
    delegation_allowed = models.BooleanField(
        _("delegation allowed (open ballots)"), default=False
    )
    delegation_cap = models.PositiveIntegerField(
        _("most votes one member carries, their own included (empty: no cap)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    delegation_days = models.PositiveSmallIntegerField(
        _("days a delegation lasts unless renewed"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(1825)],
    )
    amendment_quorum = models.DecimalField(
        _("amendment quorum (share of eligible members) to go to the vote"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    climb_units = models.PositiveSmallIntegerField(
        _("sibling units whose members must support a proposal for it to climb here"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_policy",
            ),
            models.UniqueConstraint(
                fields=["unit", "version"], name="one_policy_version_number"
            ),
            models.CheckConstraint(
                condition=Q(is_default=True) | Q(unit__isnull=False),
                name="policy_has_unit_or_is_default",
            ),
            models.CheckConstraint(
                condition=Q(admission_quorum__gt=0) & Q(admission_quorum__lte=1),
                name="policy_admission_quorum_range",
            ),
            models.CheckConstraint(
                condition=Q(turnout_quorum__gte=0) & Q(turnout_quorum__lte=1),
                name="policy_turnout_quorum_range",
            ),
        ]

        indexes = [
            models.Index(
                fields=["unit", "-effective_from", "-version"],
                name="policy_unit_current",
            )
        ]

    def __str__(self) -> str:
        return (
            str(_("Default policy"))
            if self.is_default
            else f"{_('Policy')}: {self.unit} v{self.version}"
        )

    def in_force(self, at) -> bool:
        """Whether this version applies at `at` (not before it takes effect, not
        after an unconfirmed emergency change lapsed)."""
        if self.is_default:
            return True
        if self.effective_from > at:
            return False
        return (
            self.confirmed_at is not None
            or self.lapses_at is None
            or self.lapses_at > at
        )

    def needed(self, eligible: int, share: Decimal | None = None) -> int:
        share = self.admission_quorum if share is None else share
        return max(1, math.ceil(Decimal(eligible) * share))
