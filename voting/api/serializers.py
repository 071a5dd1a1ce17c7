"""Poll payloads (DESIGN.md §5 and the voting issue). Texts the system writes (the
ranked question, the status quo) are translated when shown, not stored."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from voting.models import Ballot, Poll, PollKind, QuestionKind
from voting.tally import quorum_needed


def status_quo_text() -> str:
    return _("None of these — keep things as they are")


def question_text(question) -> str:
    if question.text:
        return question.text
    return _("Which alternative do you prefer? Rank them, most preferred first.")


def question_payload(q) -> dict:
    return {
        "id": q.pk,
        "position": q.position,
        "kind": q.kind,
        "text": question_text(q),
        "proposal": q.proposal_id,
        "clause": q.clause,
        "amendment": q.amendment_id,
        "options": [
            {
                "id": o.pk,
                "text": status_quo_text() if o.is_status_quo else o.text,
                "proposal": o.proposal_id,
                "status_quo": o.is_status_quo,
            }
            for o in q.options.all()
        ]
        if q.kind == QuestionKind.RANKED
        else [],
    }


def poll_payload(poll: Poll, *, now=None) -> dict:
    now = now or timezone.now()
    questions = list(poll.questions.all())
    participations = getattr(poll, "participation_count", None)
    if participations is None:
        participations = poll.participations.count()
    eligible = poll.eligible_count
    return {
        "id": poll.pk,
        "kind": poll.kind,
        "advisory": poll.kind == PollKind.ADVISORY,
        "title": poll.title,
        "unit": poll.unit_id,
        "unit_name": poll.unit.name,
        "thread": poll.thread_id,
        "proposal": poll.proposal_id,
        "proposals": sorted(p.pk for p in poll.proposal_list)
        if hasattr(poll, "proposal_list")
        else sorted(poll.proposals.values_list("pk", flat=True)),
        "ballot": poll.ballot,
        "secret": poll.ballot == Ballot.SECRET,
        "delegation": poll.delegation,
        "delegation_cap": poll.delegation_cap,
        "method": "schulze"
        if any(q.kind == QuestionKind.RANKED for q in questions)
        else "yes_no_abstain",
        "majority": poll.majority,
        "turnout_quorum": str(poll.turnout_quorum),
        "quorum_needed": quorum_needed(eligible, poll.turnout_quorum),
        "opens": poll.opens,
        "closes": poll.closes,
        "state": poll.phase(now),
        "eligible": eligible,
        "participations": participations,
        "turnout": round(participations / eligible, 4) if eligible else 0.0,
        "has_voted": bool(getattr(poll, "viewer_has_voted", False)),
        "can_vote": bool(getattr(poll, "viewer_eligible", False))
        and poll.phase(now) == "open"
        and poll.opens <= now,
        "questions": [question_payload(q) for q in questions],
        "url": poll.get_absolute_url(),
    }


class PollCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    thread = serializers.IntegerField(required=False, allow_null=True)
    question = serializers.CharField(max_length=2000)
    method = serializers.ChoiceField(choices=["yes_no_abstain", "schulze"])
    options = serializers.ListField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=list,
        max_length=50,
    )
    ballot = serializers.ChoiceField(choices=Ballot.choices, default=Ballot.SECRET)
    closes = serializers.DateTimeField()


class BallotSerializer(serializers.Serializer):
    """For the schema: `answers` (or the short `choice` / `ranking`), `receipt`."""

    answers = serializers.ListField(child=serializers.DictField(), required=False)
    choice = serializers.ChoiceField(choices=["yes", "no", "abstain"], required=False)
    ranking = serializers.ListField(child=serializers.IntegerField(), required=False)
    receipt = serializers.CharField(required=False, max_length=100)


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(allow_null=True)
    replaced = serializers.BooleanField()
    poll = serializers.IntegerField()
