"""Delegations: a member lends their vote in open polls to a ranked list of trustees,
for a unit (and the units below it) or a topic. Rows are never deleted by a
revocation or a replacement — `revoked_at` dates it — so the close can take the
delegations exactly as they were at the closing time. Rules: docs/voting.md,
"Delegation"; resolution: delegations/resolution.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TRUSTEES = 5  # the trustee and up to four fallbacks


class DelegationQuerySet(models.QuerySet):
    def valid_at(self, at=None):
        """Given by then, not expired and not revoked (nor replaced) yet."""
        at = at or timezone.now()
        return self.filter(
            Q(given__lte=at)
            & Q(expires__gt=at)
            & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=at))
        )

    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires__gt=now)


class Delegation(models.Model):
    truster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    unit = models.ForeignKey(
        "members.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    topic = models.ForeignKey(
        "proposals.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    # When this delegation (this list of trustees) was given: its place under a cap.
    # A renewal keeps it; a replacement is a new row with a new time.
    given = models.DateTimeField(_("given"), default=timezone.now)
    expires = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["truster", "given", "id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(topic__isnull=True))
                | (Q(unit__isnull=True) & Q(topic__isnull=False)),
                name="delegation_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("given")),
                name="delegation_expires_after_given",
            ),
            models.UniqueConstraint(
                fields=["truster", "unit"],
                condition=Q(revoked_at__isnull=True, unit__isnull=False),
                name="one_active_delegation_per_unit",
            ),
            models.UniqueConstraint(
                fields=["truster", "topic"],
                condition=Q(revoked_at__isnull=True, topic__isnull=False),
                name="one_active_delegation_per_topic",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "revoked_at"], name="delegation_unit"),
            models.Index(fields=["topic", "revoked_at"], name="delegation_topic"),
            models.Index(fields=["expires"], name="delegation_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.truster_id} → {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.unit or self.topic)


class DelegationTrustee(models.Model):
    """One entry of a delegation's ranked list: rank 0 is the trustee, 1… the
    fallbacks in order."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="trustees"
    )
    rank = models.PositiveSmallIntegerField()
    trustee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["delegation", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "rank"], name="one_trustee_per_rank"
            ),
            models.UniqueConstraint(
                fields=["delegation", "trustee"], name="trustee_once_per_delegation"
            ),
        ]
        indexes = [models.Index(fields=["trustee"], name="delegation_trustee")]

    def __str__(self) -> str:
        return f"{self.delegation_id} #{self.rank}: {self.trustee_id}"
