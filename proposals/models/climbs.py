"""A proposal's climbs: each time its supporters' spread carried it to the parent unit
(docs/flat.md, "Ideas climb"). One row per level, never two (the constraints)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Climb(models.Model):
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="climbs"
    )
    from_unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    support_count = models.PositiveIntegerField()  # supporters when it climbed
    support_needed = models.PositiveIntegerField()  # the new unit's quorum
    units = models.PositiveIntegerField()  # sibling units with supporters

    class Meta:
        ordering = ["proposal", "at", "id"]
        verbose_name = _("climb")
        verbose_name_plural = _("climbs")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "from_unit"], name="climb_from_each_unit_once"
            ),
            models.UniqueConstraint(
                fields=["proposal", "to_unit"], name="climb_to_each_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_unit_id} → {self.to_unit_id}"
