"""Threads and their durable event stream (seq) — comments etc. are added by the
real-time deliberation issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal discussion")
    AMENDMENT = "amendment", _("Amendment discussion")
    UNIT = "unit", _("Unit discussion")


class Thread(models.Model):
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(_("kind"), max_length=16, choices=ThreadKind.choices,
                            default=ThreadKind.UNIT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return self.title


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

    def as_message(self) -> dict:
        oid = self.object_id
        return {"type": self.type, "id": int(oid) if oid.isdigit() else oid,
                "seq": self.seq, "data": self.data}
