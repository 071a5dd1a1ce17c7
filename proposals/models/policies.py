"""Topics (policy areas) and proposal policies: a unit's quorum and phase lengths."""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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


class Policy(models.Model):
    """The rules a unit's proposals follow. A unit without its own policy uses its
    nearest ancestor's; the default policy (`is_default`) applies when none has one."""

    unit = models.OneToOneField(
        "members.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy",
    )
    is_default = models.BooleanField(default=False, editable=False)
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

    def __str__(self) -> str:
        return (
            str(_("Default policy"))
            if self.is_default
            else f"{_('Policy')}: {self.unit}"
        )

    def needed(self, eligible: int, share: Decimal | None = None) -> int:
        share = self.admission_quorum if share is None else share
        return max(1, math.ceil(Decimal(eligible) * share))
