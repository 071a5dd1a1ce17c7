"""Demo rules (docs/flat.md), made through the services:

* "Kortare frysning före omröstningen" — a rule proposal in Södermalm, supported,
  discussed and adopted by a member vote (two-thirds) through the voting services;
  its version is in force for proposals published after it;
* an emergency change of Göteborg's rules by the administrator, with its reason,
  that lapsed unconfirmed (made POLICY_EMERGENCY_DAYS + 1 days ago).

Idempotent: each is made once (by the rule proposal's title / the version's reason).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation

from deliberation.demo import register_seeder
from deliberation.members.models import Member, Membership, Unit
from proposals import services as proposal_services
from proposals.demo import backdate
from proposals.models import Policy, Proposal, State

from . import services
from .models import Poll, PollKind, VoterRoll

RULE_TITLE = "Kortare frysning före omröstningen"
RULE_BODY = (
    "Tre dagars frysning är för lång tid för en lokalavdelning: två räcker för att "
    "alla ska hinna läsa den slutliga texten."
)
EMERGENCY_REASON = (
    "Extrainsatt årsmöte: omröstningar måste vara klara före den 15 november."
)


@register_seeder(order=45)
def seed(stdout=None) -> str:
    people = {
        m.username: m for m in Member.objects.filter(username__in=["anna", "admin"])
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=["sodermalm", "goteborg"])}
    if len(people) < 2 or len(units) < 2:
        return "skipped (seed members first)"
    made = int(_seed_rule_vote(people["anna"], units["sodermalm"]))
    made += int(_seed_lapsed_emergency(people["admin"], units["goteborg"]))
    versions = Policy.objects.filter(unit__isnull=False).count()
    return f"{versions} policy versions ({made} new demo rule changes)"


def _seed_rule_vote(author: Member, unit: Unit) -> bool:
    if Proposal.objects.filter(title=RULE_TITLE).exists():
        return False
    with translation.override("sv"):  # the clause is written in the author's words
        rule = proposal_services.create_proposal(
            actor=author,
            title=RULE_TITLE,
            body=RULE_BODY,
            unit=unit,
            kind="rules",
            rule_changes=[{"field": "freeze_days", "value": 2}],
            publish=True,
        )
    supporters = (
        Membership.objects.current()
        .filter(unit__path__startswith=unit.path)
        .exclude(member=author)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    for member in Member.objects.filter(pk__in=list(supporters)).order_by("pk"):
        if rule.state != State.GATHERING_SUPPORT:
            break
        rule = proposal_services.support_proposal(proposal=rule, member=member)
    # each step after the one before, as in the other demo proposals
    backdate([rule], by=timedelta(days=12))
    _due(rule, ago=timedelta(days=3))  # discussion → frozen
    _due(rule, ago=timedelta(days=2))  # frozen → voting: the poll opens
    poll = Poll.objects.filter(kind=PollKind.PROPOSAL, proposal=rule).first()
    if poll is None:
        return False
    backdate([rule], by=timedelta(days=2))  # voting began two days ago
    voters = VoterRoll.objects.filter(poll=poll).order_by("member_id")
    for n, member_id in enumerate(voters.values_list("member_id", flat=True)):
        if n % 10 < 7:  # seven in ten vote, nine in ten of them yes
            choice = "no" if n % 10 == 6 else "yes"
            services.cast_ballot(
                poll=poll,
                member=Member.objects.get(pk=member_id),
                payload={"choice": choice},
            )
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(
        opens=now - timedelta(days=2), closes=now - timedelta(hours=1)
    )
    services.close_due_polls(now=now)
    return True


def _due(proposal: Proposal, *, ago: timedelta) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(phase_ends=timezone.now() - ago)
    proposal_services.advance_due_proposals()


def _seed_lapsed_emergency(admin: Member, unit: Unit) -> bool:
    if Policy.objects.filter(unit=unit, reason=EMERGENCY_REASON).exists():
        return False
    back = timedelta(days=settings.POLICY_EMERGENCY_DAYS + 1)
    if not Policy.objects.filter(unit=unit).exists():
        first = proposal_services.set_unit_policy(
            actor=admin, unit=unit, voting_days=10
        )
        Policy.objects.filter(pk=first.pk).update(
            effective_from=first.effective_from - back - timedelta(days=30)
        )
    emergency = proposal_services.set_unit_policy(
        actor=admin, unit=unit, voting_days=3, reason=EMERGENCY_REASON
    )
    Policy.objects.filter(pk=emergency.pk).update(
        effective_from=emergency.effective_from - back,
        lapses_at=(emergency.lapses_at or timezone.now()) - back,
    )
    proposal_services.record_lapsed_policies()
    return True
