"""Polls, questions, voter rolls, participations, ballots (sealed, open, bulletin) and
results. The secrecy design — why some tables have random ids and no timestamps —
is in docs/voting.md ("Secrecy").

Who took part (`Participation`) and what was voted (`PendingBallot` while the poll is
open, `BulletinBallot` after the close) are kept apart: a secret ballot never has a
foreign key to a member, a timestamp or a sequential id.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PollKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal vote")
    ADVISORY = "advisory", _("Advisory poll")


class PollState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Ballot(models.TextChoices):
    SECRET = "secret", _("Secret ballot")
    OPEN = "open", _("Open ballot")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("Simple majority")
    TWO_THIRDS = "two_thirds", _("Two-thirds majority")


class QuestionKind(models.TextChoices):
    YES_NO_ABSTAIN = "yes_no_abstain", _("Yes / no / abstain")
    RANKED = "ranked", _("Ranked (Schulze)")


CHOICES = ("yes", "no", "abstain")


class Poll(models.Model):
    """One ballot with one or more questions. A proposal poll holds the clauses and
    amendments of a proposal (and its alternatives, ranked); an advisory poll is a
    member's question in a unit thread."""

    kind = models.CharField(_("kind"), max_length=12, choices=PollKind.choices)
    title = models.CharField(_("title"), max_length=300)
    unit = models.ForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="polls"
    )
    thread = models.ForeignKey(
        "discussions.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="root_polls",
        help_text="The original proposal of the ballot group (proposal polls).",
    )
    proposals = models.ManyToManyField(
        "proposals.Proposal", blank=True, related_name="polls"
    )
    ballot = models.CharField(
        _("ballot"), max_length=8, choices=Ballot.choices, default=Ballot.SECRET
    )
    majority = models.CharField(
        _("majority"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE
    )
    turnout_quorum = models.DecimalField(
        _("turnout quorum"), max_digits=5, decimal_places=4, default=0
    )
    min_membership_days = models.PositiveIntegerField(default=0)
    # Delegation (open ballots, when the policy allows it), fixed when the poll opens.
    delegation = models.BooleanField(_("delegation"), default=False)
    delegation_cap = models.PositiveIntegerField(null=True, blank=True)
    opens = models.DateTimeField(_("opens"))
    closes = models.DateTimeField(_("closes"))
    state = models.CharField(
        max_length=8, choices=PollState.choices, default=PollState.OPEN
    )
    eligible_count = models.PositiveIntegerField(default=0)
    # Sealing (secret polls): a random salt for the per-poll key, erased at the close
    # so that a later copy of the database cannot open leftover sealed ballots even
    # with the key; and the fixed size every sealed ballot is padded to.
    seal_salt = models.BinaryField(null=True, editable=False)
    sealed_size = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    bulletin_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens", "-id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(kind="proposal"),
                name="one_poll_per_proposal_group",
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="poll_closes_after_open"
            ),
            models.CheckConstraint(
                condition=Q(turnout_quorum__gte=0) & Q(turnout_quorum__lte=1),
                name="poll_turnout_quorum_range",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "closes"], name="poll_state_closes"),
            models.Index(fields=["unit", "state"], name="poll_unit_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/polls/{self.pk}/"

    @property
    def is_secret(self) -> bool:
        return self.ballot == Ballot.SECRET

    def phase(self, now=None) -> str:
        """open | counting (past the closing time, result not stored yet) | closed."""
        if self.state == PollState.CLOSED:
            return "closed"
        now = now or timezone.now()
        return "counting" if now >= self.closes else "open"


class Question(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clause = models.PositiveSmallIntegerField(null=True, blank=True)  # 1-based
    amendment = models.ForeignKey(
        "proposals.Amendment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"], name="one_question_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Option(models.Model):
    """An option of a ranked question (a proposal of the group, the status quo, or an
    advisory poll's text)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("option"), max_length=300)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_status_quo = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="one_option_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class VoterRoll(models.Model):
    """The eligible members, frozen when the poll opens. `unit` is the group the
    member counts in for the per-unit breakdown (the unit right below the poll's
    unit that holds their membership, or the poll's unit itself)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "members.Unit", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="one_roll_entry")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ poll {self.poll_id}"


class Participation(models.Model):
    """The member has voted — and nothing about what. One per member and poll."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "member"], name="one_participation_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} voted in poll {self.poll_id}"


class PendingBallot(models.Model):
    """A sealed secret ballot while the poll is open: AES-GCM ciphertext of the
    answers and the receipt's hash, under a per-poll key that is not in the database.
    Random id, no timestamp, no member. `lookup` = sha256("replace:<poll>:<receipt>")
    lets the holder of the receipt replace it until the close; it cannot be matched
    to the public receipt_hash. Deleted at the close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    lookup = models.CharField(max_length=64)
    sealed = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "lookup"], name="one_pending_ballot_per_receipt"
            )
        ]

    def __str__(self) -> str:
        return f"sealed ballot of poll {self.poll_id}"


class OpenBallot(models.Model):
    """An open poll's ballot: public, with the voter, changeable until the close."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    answers = models.TextField()  # the compact encoding, see voting/answers.py
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "member"], name="one_open_ballot_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"ballot of {self.member_id} in poll {self.poll_id}"


class BulletinBallot(models.Model):
    """A counted ballot, public after the close, written in a random order in one
    transaction (random ids, no timestamps). `receipt_hash` = hex sha256 of the
    receipt (secret polls); `voter` and `weight` are set for open polls."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="bulletin")
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    weight = models.PositiveIntegerField(default=1)
    answers = models.TextField()  # the compact encoding, see voting/answers.py

    class Meta:
        ordering = ["poll", "id"]

    def __str__(self) -> str:
        return f"ballot {self.id} of poll {self.poll_id}"


class Result(models.Model):
    """The stored result of a closed poll — exactly one (its key is the poll)."""

    poll = models.OneToOneField(
        Poll, primary_key=True, on_delete=models.CASCADE, related_name="result"
    )
    eligible = models.PositiveIntegerField()
    participations = models.PositiveIntegerField()
    ballots = models.PositiveIntegerField()
    # Votes cast, delegated ones included (polls with delegation; else = ballots).
    represented = models.PositiveIntegerField(null=True, blank=True)
    quorum_needed = models.PositiveIntegerField(default=0)
    quorum_met = models.BooleanField()
    questions = models.JSONField(default=list)
    outcomes = models.JSONField(default=dict)  # proposal id → adopted | rejected
    breakdown = models.JSONField(default=list)
    counted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ballots=models.F("participations")),
                name="result_ballots_equal_participations",
            )
        ]

    def __str__(self) -> str:
        return f"result of poll {self.poll_id}"

    @property
    def votes_cast(self) -> int:
        """Participations, or with delegation the votes cast (delegated included)."""
        return self.participations if self.represented is None else self.represented

    @property
    def turnout(self) -> float:
        return round(self.votes_cast / self.eligible, 4) if self.eligible else 0.0
