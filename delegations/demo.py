"""Demo delegations: Göteborgs kommun's policy allows delegation in open votes (cap
of 8 votes, set by the administrator through the audited policy service), members
of Majorna and Hisingen delegate — chains, ranked fallbacks, a cycle, a topic
delegation — many of them to the persona `david`, and an open named poll in
Göteborg is under way, where those who delegated have not voted. Sign in as david to
see the votes you carry (and on /delegations/graph/?unit=… the graph).

Idempotent: the policy, each member's delegation and the poll are made once."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from deliberation.demo import register_seeder
from deliberation.members.models import Member, Membership, Unit
from proposals.models import Policy, Topic
from proposals.services import set_unit_policy
from voting import services as voting
from voting.models import Participation, Poll, PollKind

from . import services
from .models import Delegation

UNIT = "goteborg"
POLL_TITLE = "Ska Göteborg bygga en sammanhängande cykelväg längs älven?"


def _members(unit: Unit) -> list[Member]:
    ids = (
        Membership.objects.current()
        .filter(unit__path__startswith=unit.path, member__is_active=True)
        .values_list("member_id", flat=True)
    )
    return list(
        Member.objects.filter(pk__in=ids)
        .exclude(username__in=["anna", "bo", "cecilia", "admin", "david"])
        .order_by("username")
    )


def _give(truster: Member, trustees: list[Member], **scope) -> bool:
    if Delegation.objects.active().filter(truster=truster, **scope).exists():
        return False
    services.give_delegation(
        truster=truster, trustees=[t.pk for t in trustees], **scope
    )
    return True


@register_seeder(order=45)
def seed(stdout=None) -> str:
    unit = Unit.objects.filter(code=UNIT).first()
    admin = Member.objects.filter(username="admin").first()
    david = Member.objects.filter(username="david").first()
    if unit is None or admin is None or david is None:
        return "skipped (seed members first)"
    if not Policy.objects.filter(unit=unit).exists():
        set_unit_policy(
            actor=admin,
            unit=unit,
            reason="Kommunföreningen beslöt att pröva delegering i öppna omröstningar.",
            ballot="open",
            delegation_allowed=True,
            delegation_cap=8,
            delegation_days=180,
        )
    people = _members(unit)
    if len(people) < 24:
        return "skipped (too few members in Göteborg)"
    rng = random.Random("delegations")  # noqa: S311 (demo data, reproducible)
    trusted = people[:4]  # members who vote and carry others' votes
    trusters = people[4:22]
    made = 0
    for n, member in enumerate(trusters):
        if n < 7:  # to david, falling back on one of the trusted
            lists = [david, trusted[n % 4]]
        elif n < 10:  # chains: to another truster, who delegates on
            lists = [trusters[n - 7], trusted[(n + 1) % 4]]
        elif n < 12:  # a cycle of two, with nobody voting in it
            lists = [trusters[11 if n == 10 else 10]]
        else:
            lists = rng.sample(trusted, 2)
        made += _give(member, lists, unit=unit)
    climate = Topic.objects.filter(slug="klimat").first()
    if climate is not None:
        made += _give(people[22], [david], topic=climate)
    poll = Poll.objects.filter(kind=PollKind.ADVISORY, title=POLL_TITLE).first()
    if poll is None:
        poll = voting.create_advisory_poll(
            actor=people[0],
            unit=unit,
            thread=None,
            question=POLL_TITLE,
            method="yes_no_abstain",
            options=None,
            ballot="open",
            closes=timezone.now() + timedelta(days=6),
        )
    if not Participation.objects.filter(poll=poll).exists():
        leaning = random.Random(f"ballots:{POLL_TITLE}")  # noqa: S311
        question = poll.questions.get()
        skip = {m.pk for m in trusters} | {people[22].pk}
        for member in [*trusted, *people[23:]]:
            if member.pk in skip or (member not in trusted and leaning.random() > 0.7):
                continue
            choice = "yes" if leaning.random() < 0.6 else "no"
            voting.cast_ballot(
                poll=poll,
                member=member,
                payload={"answers": [{"question": question.pk, "choice": choice}]},
            )
    active = Delegation.objects.active().count()
    return f"{active} delegations ({made} new); open poll with delegation: {poll.pk}"
