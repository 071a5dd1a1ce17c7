"""Notifications, preferences and follows. Follow is here now (proposals issue); the
notifications issue adds Notification and NotificationPreference."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowTarget(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    THREAD = "thread", _("Thread")
    UNIT = "unit", _("Unit")
    TOPIC = "topic", _("Topic")
    MEMBER = "member", _("Member")


class Follow(models.Model):
    """A member follows something to be notified about it (one row per target)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_kind = models.CharField(
        _("kind"), max_length=16, choices=FollowTarget.choices
    )
    target_id = models.PositiveBigIntegerField(_("target id"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "target_kind", "target_id"],
                name="one_follow_per_target",
            )
        ]
        indexes = [models.Index(fields=["target_kind", "target_id"])]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return f"{self.member} → {self.target_kind} {self.target_id}"
