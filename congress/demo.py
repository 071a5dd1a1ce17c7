"""The demo congress ("Partikongressen 2026", in session): made through the services,
with items that arrived by themselves — the national proposals the members adopted
by vote (the proposals demo's "Öppna protokoll …" and two more walked through
support, the schedule and a vote here) — delegates from the demo districts, some
roll-call votes, a response, a decision and a follow-up. Idempotent: a congress of
that name is left as it is."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from deliberation.demo import register_seeder
from deliberation.members.models import Member, Membership, Unit
from proposals import services as proposal_services
from proposals.models import Proposal, State

from . import services
from .models import Congress, CongressItem, Decision, ItemClause

NAME = "Partikongressen 2026"

NATIONAL = [
    (
        "Gratis tandvård upp till 25 år",
        ["att tandvården är avgiftsfri till och med 25 års ålder"],
        "Unga vuxna hoppar över tandläkaren för att det kostar.",
        0.72,
    ),
    (
        "En nationell klimatbudget",
        [
            "att riksdagen varje år beslutar om en klimatbudget",
            "att budgeten följs upp av ett oberoende råd",
        ],
        "Utsläppen ska minska i en takt som går att kontrollera.",
        0.64,
    ),
]

DELEGATES = [
    ("david", "vastra-gotaland", "vald av distriktsårsmötet 2026-10-12"),
    ("cecilia", "stockholm", "vald av distriktsårsmötet 2026-10-10"),
]


@register_seeder(order=60)
def seed(stdout=None) -> str:
    if Congress.objects.filter(name=NAME).exists():
        return "1 congress (already there)"
    admin = Member.objects.filter(username="admin").first()
    units = {u.code: u for u in Unit.objects.all()}
    if admin is None or "national" not in units:
        return "skipped (seed members first)"
    now = timezone.now()
    today = timezone.localdate()
    congress = services.create_congress(
        actor=admin,
        name=NAME,
        starts=today - timedelta(days=1),
        ends=today + timedelta(days=2),
        window_opens=now - timedelta(days=180),
        items_deadline=now + timedelta(days=1),
        answer_days=14,
        reason="Beslutad av partistyrelsen enligt stadgarna.",
    )
    delegates = _delegates(congress, admin, units)
    services.forward_missed()  # what the members adopted before the congress existed
    for title, clauses, body, lean in NATIONAL:
        _vote_through(title, clauses, body, lean, units["national"])
    items = list(
        CongressItem.objects.filter(congress=congress)
        .select_related("proposal")
        .order_by("id")
    )
    _roll_call(congress, items, delegates)
    if items:
        _decide(congress, items[0], admin)
    return f"1 congress: {len(items)} items, {len(delegates)} delegates"


def _delegates(congress, admin, units) -> list:
    out = []
    for username, district, chosen in DELEGATES:
        member = Member.objects.filter(username=username).first()
        if member is not None:
            out.append(
                services.record_delegate(
                    actor=admin,
                    congress=congress,
                    member=member,
                    unit=units[district],
                    chosen=chosen,
                )
            )
    skane = units.get("skane")
    if skane is not None:
        member = (
            Member.objects.filter(
                memberships__unit__path__startswith=skane.path,
                username__startswith="member",
            )
            .order_by("username")
            .first()
        )
        if member is not None:
            out.append(
                services.record_delegate(
                    actor=admin,
                    congress=congress,
                    member=member,
                    unit=skane,
                    chosen="vald av distriktsårsmötet 2026-10-05",
                )
            )
    return out


def _vote_through(title, clauses, body, lean, national) -> None:
    """Support to the quorum, the schedule to the vote, ballots, the close: the
    congress hook forwards it when the members adopt it."""
    from voting.closing import close_due_polls
    from voting.demo import _cast
    from voting.models import Poll

    if Proposal.objects.filter(title=title).exists():
        return
    author = (
        Member.objects.filter(username="member007").first() or Member.objects.first()
    )
    if author is None:
        return
    proposal = proposal_services.create_proposal(
        actor=author,
        title=title,
        body=body,
        clauses=clauses,
        unit=national,
        publish=True,
    )
    rng = random.Random(title)  # noqa: S311 (demo data)
    members = list(
        Member.objects.filter(
            pk__in=Membership.objects.current().values("member_id")
        ).order_by("pk")
    )
    rng.shuffle(members)
    for m in members[: proposal.support_needed + 3]:
        if m.pk != author.pk and proposal.state == State.GATHERING_SUPPORT:
            proposal_services.support_proposal(proposal=proposal, member=m)
            proposal.refresh_from_db()
    for _ in range(2):  # each step dated now, so the phases stay in order
        Proposal.objects.filter(pk=proposal.pk).update(phase_ends=timezone.now())
        proposal_services.advance_due_proposals()
    poll = Poll.objects.filter(proposals=proposal).first()
    if poll is None:
        return
    _cast(poll, turnout=0.3, lean=lean)
    closes = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(closes=closes)
    close_due_polls(now=closes)


def _roll_call(congress, items, delegates) -> None:
    rng = random.Random("roll call")  # noqa: S311 (demo data)
    for item in items[:2]:
        for clause in ItemClause.objects.filter(item=item).order_by("number"):
            for delegate in delegates:
                vote = "yes" if rng.random() < 0.75 else rng.choice(["no", "abstain"])
                services.cast_delegate_vote(
                    actor=delegate.member,
                    congress=congress,
                    item=item,
                    clause=clause.pk,
                    vote=vote,
                    explanation=(
                        "Distriktets medlemmar röstade så." if vote == "yes" else ""
                    ),
                )
        for delegate in delegates[:2]:
            services.review_item(
                actor=delegate.member,
                congress=congress,
                item=item,
                recommendation="Bifall, i linje med medlemsomröstningen.",
            )


def _decide(congress, item, admin) -> None:
    national = Unit.objects.filter(parent__isnull=True).first()
    first = ItemClause.objects.filter(item=item).order_by("number").first()
    if national is not None and first is not None:
        services.publish_response(
            actor=admin,
            congress=congress,
            item=item,
            unit=national,
            clause=first.pk,
            position="support",
            text="Partistyrelsen ställer sig bakom att-satsen.",
        )
    services.record_decision(
        actor=admin,
        congress=congress,
        item=item,
        decision=Decision.ADOPTED,
        note="Bifall med acklamation efter votering.",
    )
    services.post_followup(
        actor=admin,
        congress=congress,
        item=item,
        status="in_progress",
        text="Partistyrelsen har gett kansliet i uppdrag att ta fram en plan.",
    )
