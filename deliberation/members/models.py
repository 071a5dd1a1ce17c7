"""Members, the unit tree, memberships and public, time-limited roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ERASED_PREFIX = "former-"


class Member(AbstractUser):
    member_number = models.CharField(
        _("member number"), max_length=32, unique=True, null=True, blank=True
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("sv", "Svenska"), ("en", "English")],
    )
    # Set when the member's personal data was erased (deliberation/members/erasure.py):
    # the row stays, anonymous, so what they did stays counted.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    @property
    def display_name(self) -> str:
        if self.is_erased:
            return str(_("a former member"))
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_erased(self) -> bool:
        # Without a query when a selector deferred `erased_at`: an erased row has
        # no name and an ERASED_PREFIX username (erasure.py).
        if "erased_at" in self.__dict__:
            return self.erased_at is not None
        return not self.full_name and self.username.startswith(ERASED_PREFIX)

    def __str__(self) -> str:
        return self.display_name


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("National")
    DISTRICT = "district", _("District")
    MUNICIPALITY = "municipality", _("Municipality")
    BRANCH = "branch", _("Local branch")


UNIT_KIND_DEPTH = {
    UnitKind.NATIONAL: 0,
    UnitKind.DISTRICT: 1,
    UnitKind.MUNICIPALITY: 2,
    UnitKind.BRANCH: 3,
}


class Unit(models.Model):
    """A node of the organisation tree. `path` ("/1/4/9/") makes subtree queries one
    indexed LIKE instead of recursion."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class MembershipQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.localdate()
        return self.filter(
            Q(since__lte=at) & (Q(until__isnull=True) | Q(until__gte=at))
        )


class Membership(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateField(_("member since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "unit"],
                condition=Q(until__isnull=True),
                name="one_open_membership_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
        ]
        indexes = [models.Index(fields=["unit", "until"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.member} @ {self.unit}"


class Role(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    MODERATOR = "moderator", _("Moderator")
    DELEGATE = "delegate", _("Delegate")
    ADMIN = "admin", _("Administrator")


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.now()
        return self.filter(starts__lte=at, ends__gt=at, ended_at__isnull=True)


class RoleAssignment(models.Model):
    """A role for a unit, for a term. Public; grants and endings go to the audit log."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    granted_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "role", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="role_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["unit", "role", "ends"])]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display()} ({self.unit})"

    @property
    def is_current(self) -> bool:
        now = timezone.now()
        return self.ended_at is None and self.starts <= now < self.ends


class SubmissionKey(models.Model):
    """A member's one-time key for a create request (the API's `Idempotency-Key`
    header, the pages' hidden `submission_key`): a double click or a retried request
    with the same key returns what the first one created instead of a duplicate."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    target = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    # SHA-256 of the API request (method, path, body) that claimed the key; empty for
    # the pages' form keys. A replay with another request is refused (422).
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "key"], name="one_submission_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.key} → {self.target} {self.target_id}"


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class DataExport(models.Model):
    """A member's download of their own data (docs/personal-data.md): built by a
    Celery task into a ZIP under DATA_EXPORT_DIR, downloadable by that member only
    until `expires`."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=16, choices=ExportState.choices, default=ExportState.PENDING
    )
    created = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # Two requests at once give one job.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state="pending"),
                name="one_pending_export_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.member_id} ({self.state})"


class ErasureRequest(models.Model):
    """A member's (or an administrator's, for a request made outside Torget) request
    to erase the member's personal data at `erase_at`; cancelled by deleting it."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="erasure_request"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    erase_at = models.DateTimeField(db_index=True)
    keep_comments = models.BooleanField(default=False)
    by_administrator = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"erasure of {self.member_id} at {self.erase_at:%Y-%m-%d %H:%M}"
