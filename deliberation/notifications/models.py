"""Notifications, preferences and follows (docs/notifications.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class Channel(models.TextChoices):
    """How a member gets one kind of notification."""

    OFF = "off", _("Off")
    IN_APP = "in_app", _("In Torget only")
    EMAIL = "email", _("E-mail at once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class NotificationEvent(models.Model):
    """The outbox: one row per thing that happened, written in the transaction of the
    change (`emit.notify`). Delivery fans it out after commit; the sweeper delivers
    what is left undelivered (a broker that was down, a worker killed)."""

    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200, unique=True)
    subject_type = models.CharField(max_length=100)
    subject_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.JSONField(default=list, blank=True)
    followers_of = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    delivered = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created"],
                name="notif_event_undelivered",
                condition=models.Q(delivered__isnull=True),
            )
        ]
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Notification(models.Model):
    """One event for one member: unique per (recipient, event), so a task run twice
    leaves one row. `channel` is the member's choice when it was delivered;
    `emailed` is set once the e-mail (at once or in a digest) has gone."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        NotificationEvent, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    created = models.DateTimeField(default=timezone.now)
    read = models.DateTimeField(null=True, blank=True)
    emailed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notif_recipient"),
            models.Index(
                fields=["recipient"],
                name="notif_unread",
                condition=models.Q(read__isnull=True),
            ),
            models.Index(
                fields=["channel", "recipient"],
                name="notif_to_email",
                condition=models.Q(emailed__isnull=True)
                & ~models.Q(channel__in=["in_app", "off"]),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """A member's channel for one kind (no row: the kind's default)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"], name="one_preference_per_kind"
            )
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: {self.channel}"
