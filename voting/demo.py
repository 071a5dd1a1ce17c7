"""Demo polls, made through the voting services with the demo members as voters:

* open, secret: "Gröna skolgårdar i Södermalm" (two clauses, an amendment that went
  to the vote, and a ranked question against its alternative);
* open, named (open ballot): an advisory poll in the Stockholm district;
* open, secret, ranked: an advisory poll in Södermalm's discussion thread about the
  premises on Götgatan;
* closed, with result and bulletin: the poll of "Hyrestak för studentbostäder" (the
  proposal is adopted by it) and a ranked advisory poll in Göteborg.

Closed polls are cast while open, then their closing time is moved into the past and
the beat's sweeper (`close_due_polls`) counts them — the same path as in production.
Idempotent: a poll that exists (by its proposal or its title) is left as it is.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from deliberation.demo import register_seeder
from deliberation.discussions.models import Thread
from deliberation.members.models import Member, Membership, Unit
from proposals import services as proposal_services
from proposals.demo import backdate
from proposals.models import Proposal, State

from . import services
from .models import Participation, Poll, PollKind, PollState, VoterRoll

GROUP_TITLE = "Gröna skolgårdar i Södermalm"
GROUP = (
    "anna",
    "sodermalm",
    [
        "att partiet verkar för att alla skolgårdar i Södermalm får träd och "
        "planteringar",
        "att asfalten på minst en tredjedel av varje skolgård ersätts med grönska",
    ],
    "Gröna skolgårdar svalkar på sommaren, minskar översvämningar och ger barn "
    "bättre lek.",
)
GROUP_AMENDMENT = ("en tredjedel", "hälften")
ALTERNATIVE = (
    "Skolgårdar som odlingslotter",
    "bo",
    ["att varje skola i Södermalm får en odlingslott som eleverna sköter"],
    "Billigare, och barnen lär sig var maten kommer ifrån.",
)
CLOSED_PROPOSAL = "Hyrestak för studentbostäder"
THREAD_TITLE = "Hur ska vi använda lokalen på Götgatan?"

# title, author, unit code, method, options, ballot, days open, closed?, thread title
ADVISORY = [
    (
        "Ska distriktsårsmötet hållas digitalt i år?",
        "cecilia",
        "stockholm",
        "yes_no_abstain",
        None,
        "open",
        5,
        False,
        None,
    ),
    (
        "Vad ska lokalen på Götgatan användas till först?",
        "anna",
        "sodermalm",
        "schulze",
        ["Läxhjälp två kvällar i veckan", "Öppen för alla föreningar", "Studiecirklar"],
        "secret",
        4,
        False,
        THREAD_TITLE,
    ),
    (
        "Vilket tema ska höstens medlemsmöte i Göteborg ha?",
        "david",
        "goteborg",
        "schulze",
        ["Bostäder", "Kollektivtrafik", "Skolan", "Klimatet"],
        "secret",
        3,
        True,
        None,
    ),
]


@register_seeder(order=40)
def seed(stdout=None) -> str:
    people = {
        m.username: m
        for m in Member.objects.filter(
            username__in=["anna", "bo", "cecilia", "david", "admin"]
        )
    }
    units = {u.code: u for u in Unit.objects.all()}
    if len(people) < 5 or "sodermalm" not in units:
        return "skipped (seed members first)"
    made = 0
    if _seed_group(people, units) is not None:
        made += 1
    if _seed_closed_proposal_poll():
        made += 1
    for spec in ADVISORY:
        if _seed_advisory(spec, people, units):
            made += 1
    # The polls of the proposals the proposals demo decided by hand: ballots that
    # agree with the decision, then the close (no open poll on a decided proposal).
    stale = Poll.objects.filter(
        kind=PollKind.PROPOSAL,
        state=PollState.OPEN,
        proposals__state__in=[State.ADOPTED, State.REJECTED],
    ).distinct()
    for poll in stale:
        adopted = poll.proposal is not None and poll.proposal.state == State.ADOPTED
        if poll.questions.exists():
            turnout = min(0.45, 80 / max(poll.eligible_count, 1))  # seeding time
            _cast(poll, turnout=turnout, lean=0.75 if adopted else 0.3, personas=True)
        _close_now(poll)
    open_, closed = (
        Poll.objects.filter(state=s).count() for s in (PollState.OPEN, PollState.CLOSED)
    )
    return f"{open_ + closed} polls ({made} new): {open_} open, {closed} closed"


# ------------------------------------------------------------------ voters


PERSONAS = {"anna", "bo", "cecilia", "david", "admin"}


def _voters(poll: Poll, turnout: float, *, personas: bool) -> list[Member]:
    """About `turnout` of the poll's generated members, chosen the same way on every
    run; the personas vote only in polls that close (in open polls they are left to
    try the ballot themselves)."""
    rng = random.Random(poll.title)  # noqa: S311 (demo data, reproducible)
    ids = VoterRoll.objects.filter(poll=poll).order_by("member_id")
    members = Member.objects.filter(pk__in=ids.values("member_id")).order_by("pk")
    return [
        m
        for m in members
        if (personas if m.username in PERSONAS else rng.random() < turnout)
    ]


def _answers(poll: Poll, rng: random.Random, lean: float) -> dict:
    """A ballot: yes with probability `lean` (else no, sometimes abstain); rankings
    shuffled with the first options a little more often on top."""
    out: list[dict] = []
    for q in poll.questions.order_by("position").prefetch_related("options"):
        if q.kind == "ranked":
            ids = [o.pk for o in q.options.order_by("position")]
            ranking = sorted(ids, key=lambda i: ids.index(i) + rng.random() * len(ids))
            out.append(
                {"question": q.pk, "ranking": ranking[: rng.randint(1, len(ids))]}
            )
        else:
            draw = rng.random()
            choice = "yes" if draw < lean else "abstain" if draw > 0.93 else "no"
            out.append({"question": q.pk, "choice": choice})
    return {"answers": out}


def _cast(poll: Poll, *, turnout: float, lean: float, personas: bool = False) -> int:
    if Participation.objects.filter(poll=poll).exists():
        return 0
    rng = random.Random(f"ballots:{poll.title}")  # noqa: S311 (demo data)
    voters = _voters(poll, turnout, personas=personas)
    for member in voters:
        services.cast_ballot(
            poll=poll, member=member, payload=_answers(poll, rng, lean)
        )
    return len(voters)


def _close_now(poll: Poll, *, opened: bool = False) -> None:
    """As if its closing time had passed; then the beat's sweeper counts it. A poll
    opened by its proposal's vote keeps that opening (`opened`), else it is dated
    a week before."""
    now = timezone.now()
    dates = {"closes": now - timedelta(hours=1)}
    if not opened:
        dates = {"opens": now - timedelta(days=8), "closes": now - timedelta(days=1)}
    Poll.objects.filter(pk=poll.pk).update(**dates)
    services.close_due_polls(now=now)


# ------------------------------------------------------------------ polls


def _due(proposals: list[Proposal], *, ago: timedelta) -> None:
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
        phase_ends=timezone.now() - ago
    )
    proposal_services.advance_due_proposals()


def _unit_members(unit: Unit, exclude: set[int]) -> list[Member]:
    ids = (
        Membership.objects.current()
        .filter(unit__path__startswith=unit.path)
        .exclude(member_id__in=exclude)
        .values_list("member_id", flat=True)
    )
    return list(Member.objects.filter(pk__in=list(ids)).order_by("pk"))


def _seed_group(people: dict, units: dict) -> Poll | None:
    """A proposal with two clauses, an amendment and an alternative, walked through
    the proposals' services to `voting` (its poll opens through the hook)."""
    if Proposal.objects.filter(title=GROUP_TITLE).exists():
        return None
    author_name, unit_code, clauses, body = GROUP
    author = people[author_name]
    p = proposal_services.create_proposal(
        actor=author,
        title=GROUP_TITLE,
        body=body,
        clauses=clauses,
        unit=units[unit_code],
        publish=True,
    )
    others = _unit_members(p.unit, {author.pk})
    for m in others:
        if p.state != State.GATHERING_SUPPORT:
            break
        p = proposal_services.support_proposal(proposal=p, member=m)
    original, replacement = GROUP_AMENDMENT
    amendment = proposal_services.create_amendment(
        proposal=p,
        actor=others[-1],
        target="clause",
        clause=2,
        original=original,
        replacement=replacement,
        rationale="En tredjedel räcker inte för att svalka gården.",
    )
    for m in others[:-1]:
        if amendment.support_count >= amendment.support_needed:
            break
        amendment = proposal_services.support_amendment(amendment=amendment, member=m)
    title, alt_author, alt_clauses, alt_body = ALTERNATIVE
    alt = proposal_services.create_proposal(
        actor=people[alt_author],
        title=title,
        body=alt_body,
        clauses=alt_clauses,
        alternative_to=p,
        publish=True,
    )
    backdate([p, alt], by=timedelta(days=10))  # published and discussed before…
    _due([p, alt], ago=timedelta(days=1))  # discussion → frozen (amendment to vote)
    _due([p, alt], ago=timedelta(hours=1))  # frozen → voting: the poll opens
    poll = Poll.objects.get(kind=PollKind.PROPOSAL, proposal=p)
    _cast(poll, turnout=0.8, lean=0.65)
    return poll


def _seed_closed_proposal_poll() -> bool:
    """The proposals demo's proposal in the vote: ballots, then the close."""
    poll = Poll.objects.filter(
        kind=PollKind.PROPOSAL,
        state=PollState.OPEN,
        proposal__title=CLOSED_PROPOSAL,
        proposal__state=State.VOTING,
    ).first()
    if poll is None:
        return False
    _cast(poll, turnout=0.7, lean=0.7, personas=True)
    _close_now(poll, opened=True)
    return True


def _seed_advisory(spec: tuple, people: dict, units: dict) -> bool:
    title, author, unit_code, method, options, ballot, days, closed, thread = spec
    if Poll.objects.filter(kind=PollKind.ADVISORY, title=title).exists():
        return False
    unit = units[unit_code]
    poll = services.create_advisory_poll(
        actor=people[author],
        unit=unit,
        thread=Thread.objects.filter(unit=unit, title=thread).first()
        if thread
        else None,
        question=title,
        method=method,
        options=options,
        ballot=ballot,
        closes=timezone.now() + timedelta(days=days),
    )
    _cast(poll, turnout=0.6, lean=0.55, personas=closed)
    if closed:
        _close_now(poll)
    return True


# the demo rules (a rule change by vote, a lapsed emergency change) seed after these
from . import demo_rules  # noqa: E402, F401
