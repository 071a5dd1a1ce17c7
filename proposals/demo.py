"""Demo topics and proposals in every state, with supports, revisions, amendments, an
alternative, follows and comments on two proposal threads. Idempotent: proposals whose
title exists are left as they are."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from deliberation.demo import register_seeder
from deliberation.discussions.models import Comment
from deliberation.discussions.permissions import can_post_in_thread
from deliberation.discussions.services import post_comment
from deliberation.members.models import Member, Membership, Unit
from deliberation.notifications.models import FollowTarget
from deliberation.notifications.services import follow

from . import services
from .models import Proposal, State, Topic

TOPICS = [
    ("Klimat och miljö", "klimat", "Climate, energy and nature."),
    ("Bostäder", "bostader", "Housing and planning."),
    ("Skola och utbildning", "skola", "Schools, education and research."),
    ("Vård och omsorg", "vard", "Health and care."),
    ("Arbete och ekonomi", "ekonomi", "Work, jobs and the economy."),
    ("Demokrati och organisation", "demokrati", "How the party and society decide."),
    ("Transporter", "transporter", "Public transport, roads and rail."),
]

PROPOSAL_COMMENTS = [
    ("bo", "for", "Det här behövs. Jag har sett samma problem i vår stadsdel."),
    (
        "member001",
        "question",
        "Hur ska det finansieras? Jag saknar en kostnadsberäkning.",
    ),
    (
        "member013",
        "against",
        "Bra tanke, men jag tror att en lokal lösning fungerar bättre "
        "än en nationell regel.",
    ),
]


# title, author, unit code, target state, topic slugs, clauses, body
DEMO = [
    (
        "Gratis kollektivtrafik för alla under 20",
        "anna",
        "sodermalm",
        "discussion",
        ["transporter"],
        [
            "att partiet verkar för gratis kollektivtrafik för alla under 20 år",
            "att kostnaden finansieras via trängselskatten",
        ],
        "Unga ska kunna ta sig till skola, jobb och fritid **utan att det kostar**.\n\n"
        "I Tallinn har gratis kollektivtrafik ökat resandet markant. Se "
        "[rapporten](https://example.org/tallinn).",
    ),
    (
        "Fler cykelbanor längs Ringvägen",
        "bo",
        "sodermalm",
        "gathering_support",
        ["transporter", "klimat"],
        ["att partiet driver separerade cykelbanor längs Ringvägen"],
        "Ringvägen är en av stadens farligaste gator för cyklister.",
    ),
    (
        "Solceller på alla kommunala tak",
        "anna",
        "stockholm",
        "frozen",
        ["klimat"],
        ["att alla kommunala byggnader i distriktet får solceller senast 2030"],
        "Taken står tomma. Solceller betalar sig på tio år.",
    ),
    (
        "Hyrestak för studentbostäder",
        "cecilia",
        "stockholm",
        "voting",
        ["bostader"],
        ["att partiet verkar för ett hyrestak i studentbostäder"],
        "Studenter betalar en allt större del av sin inkomst i hyra.",
    ),
    (
        "Öppna protokoll från alla styrelsemöten",
        "anna",
        "national",
        "adopted",
        ["demokrati"],
        ["att alla styrelseprotokoll publiceras inom en vecka"],
        "Öppenhet bygger förtroende. Medlemmar ska kunna se vad som beslutas.",
    ),
    (
        "Sänkt medlemsavgift till 50 kronor",
        "david",
        "majorna",
        "rejected",
        ["demokrati"],
        [],
        "Fler har råd att vara med om avgiften sänks.",
    ),
    (
        "Skolbibliotek med bemanning i varje skola",
        "bo",
        "sodermalm",
        "withdrawn",
        ["skola"],
        ["att varje skola ska ha ett bemannat skolbibliotek"],
        "Läsförståelsen sjunker; bibliotekarier gör skillnad.",
    ),
    (
        "Nattöppna fritidsgårdar på helger",
        "anna",
        "sodermalm",
        "expired",
        ["skola"],
        ["att fritidsgårdarna håller öppet till 01 på fredagar och lördagar"],
        "",
    ),
    (
        "Vårdcentral öppen på kvällar",
        "anna",
        "sodermalm",
        "draft",
        ["vard"],
        ["att vårdcentralerna har kvällsöppet två dagar i veckan"],
        "Utkast: behöver fler siffror innan publicering.",
    ),
    (
        "Fyradagarsvecka som försök i kommunen",
        "bo",
        "national",
        "gathering_support",
        ["ekonomi"],
        ["att partiet driver ett försök med fyradagarsvecka i en kommun"],
        "Försök i andra länder visar högre produktivitet och bättre hälsa.",
    ),
]
ALTERNATIVE = (
    "Halva priset för unga i kollektivtrafiken",
    "bo",
    ["att partiet verkar för halva priset för unga under 20 år"],
    "Ett billigare alternativ som når nästan lika många.",
)


def _members_of(unit: Unit, exclude: set[int], n: int) -> list[Member]:
    ids = (
        Membership.objects.current()
        .filter(unit__path__startswith=unit.path)
        .exclude(member_id__in=exclude)
        .order_by("member_id")
        .values_list("member_id", flat=True)
        .distinct()[:n]
    )
    return list(Member.objects.filter(pk__in=list(ids)).order_by("pk"))


def backdate(proposals: list[Proposal], *, by: timedelta) -> None:
    """Move everything that already happened to these proposals `by` into the past —
    their dates, revisions, support, amendments, state changes and audit entries — so
    that the next step, dated now or on schedule, comes after them. The services date
    what they do now; a demo walked through in seconds would otherwise say a proposal
    was frozen before it gathered support. The current `phase_ends` is left alone
    (the next transition sets it)."""
    from deliberation.audit.models import AuditEntry

    from .models import (
        Amendment,
        AmendmentSupport,
        ProposalAuthor,
        Revision,
        StateChange,
        Support,
    )

    ids = [p.pk for p in proposals]
    Proposal.objects.filter(pk__in=ids).update(
        **{
            f: F(f) - by
            for f in (
                "created",
                "published_at",
                "discussion_started_at",
                "frozen_at",
                "voting_started_at",
                "closed_at",
            )
        }
    )
    StateChange.objects.filter(proposal__in=ids).update(at=F("at") - by)
    Revision.objects.filter(proposal__in=ids).update(created=F("created") - by)
    Support.objects.filter(proposal__in=ids).update(created=F("created") - by)
    ProposalAuthor.objects.filter(proposal__in=ids).update(
        invited_at=F("invited_at") - by, accepted_at=F("accepted_at") - by
    )
    Amendment.objects.filter(proposal__in=ids).update(
        created=F("created") - by, decided_at=F("decided_at") - by
    )
    AmendmentSupport.objects.filter(amendment__proposal__in=ids).update(
        created=F("created") - by
    )
    AuditEntry.objects.filter(
        target_type=Proposal._meta.label_lower, target_id__in=[str(i) for i in ids]
    ).update(at=F("at") - by)


def _due_now(proposal: Proposal, *, ago: timedelta) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(phase_ends=timezone.now() - ago)
    services.advance_due_proposals()


def _to_discussion(proposal: Proposal, authors: set[int]) -> Proposal:
    for m in _members_of(proposal.unit, authors, proposal.support_needed):
        proposal = services.support_proposal(proposal=proposal, member=m)
    return Proposal.objects.get(pk=proposal.pk)


@register_seeder(order=20)
def seed(stdout=None) -> str:
    for name, slug, description in TOPICS:
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    people = {
        m.username: m
        for m in Member.objects.filter(
            username__in=["anna", "bo", "cecilia", "david", "admin"]
        )
    }
    units = {u.code: u for u in Unit.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    if not people or "sodermalm" not in units:
        return "skipped (seed members first)"
    made = 0
    for title, author_name, unit_code, target, topic_slugs, clauses, body in DEMO:
        if Proposal.objects.filter(title=title).exists():
            continue
        made += 1
        author = people[author_name]
        coauthors = (
            [people["bo"]] if author_name == "anna" and unit_code == "sodermalm" else []
        )
        p = services.create_proposal(
            actor=author,
            title=title,
            body=body,
            clauses=clauses,
            unit=units[unit_code],
            topics=[topics[s] for s in topic_slugs if s in topics],
            coauthors=coauthors,
            publish=target != "draft",
        )
        if coauthors:
            services.accept_coauthorship(proposal=p, member=coauthors[0])
        authors = {author.pk, *(c.pk for c in coauthors)}
        if target == "draft":
            continue
        if target == "gathering_support":
            for m in _members_of(
                p.unit, authors, max(0, p.support_needed - 1) // 2 + 1
            ):
                if p.support_count + 1 < p.support_needed:
                    p = services.support_proposal(proposal=p, member=m)
            continue
        if target == "withdrawn":
            services.withdraw_proposal(proposal=p, actor=author)
            continue
        # Each step after the one before (`backdate`): published, then support
        # and discussion, frozen, voting, the result — in that order of dates.
        backdate([p], by=timedelta(days=10))
        if target == "expired":
            _due_now(p, ago=timedelta(days=2))
            continue
        p = _to_discussion(p, authors)
        if target == "discussion":
            _seed_amendments_and_alternative(p, author, people)
            continue
        backdate([p], by=timedelta(days=16))
        # Less ago than the freeze lasts, or the same run would also open the vote.
        _due_now(p, ago=timedelta(days=2))  # discussion → frozen
        if target == "frozen":
            continue
        _due_now(p, ago=timedelta(days=1))  # frozen → voting
        if target in {"adopted", "rejected"}:
            services.record_vote_outcome(proposal=p, adopted=target == "adopted")
    for username in ("anna", "bo"):
        for p in Proposal.objects.filter(unit=units["sodermalm"]).exclude(
            state=State.DRAFT
        ):
            follow(
                member=people[username],
                target_kind=FollowTarget.PROPOSAL,
                target_id=p.pk,
            )
    return f"{Proposal.objects.count()} proposals ({made} new)"


def _seed_amendments_and_alternative(p: Proposal, author: Member, people) -> None:
    bo = people["bo"]
    helper = _members_of(p.unit, {author.pk, bo.pk}, 3)
    accepted = services.create_amendment(
        proposal=p,
        actor=helper[0],
        target="clause",
        clause=2,
        original="via trängselskatten",
        replacement="via trängselskatten och parkeringsavgifter",
        rationale="Trängselskatten räcker inte ensam.",
    )
    services.support_amendment(amendment=accepted, member=helper[1])
    services.accept_amendment(amendment=accepted, actor=author)
    open_ = services.create_amendment(
        proposal=p,
        actor=helper[1],
        target="clause",
        clause=1,
        original="under 20 år",
        replacement="under 26 år",
        rationale="Studenter behöver det också.",
    )
    for m in helper:
        if m.pk != helper[1].pk:
            services.support_amendment(amendment=open_, member=m)
    services.update_proposal(
        proposal=p,
        actor=author,
        body=p.body + "\n\nKostnaden beräknas till 400 miljoner kronor per år.",
        note="Kostnaden tillagd",
    )
    title, alt_author, clauses, body = ALTERNATIVE
    services.create_proposal(
        actor=people[alt_author],
        title=title,
        body=body,
        clauses=clauses,
        alternative_to=p,
        publish=True,
    )


@register_seeder(order=35, name="proposals.demo.comments")
def seed_comments(stdout=None) -> str:
    """Comments on the first two proposal threads (after the discussions' seeder)."""
    people = {
        m.username: m
        for m in Member.objects.filter(
            username__in=[author for author, _stance, _body in PROPOSAL_COMMENTS]
        )
    }
    return f"{_seed_proposal_threads(people)} new comments on proposal threads"


def _seed_proposal_threads(people) -> int:
    made = 0
    proposals = (
        Proposal.objects.filter(thread__isnull=False)
        .select_related("thread", "thread__unit")
        .order_by("pk")[:2]
    )
    for proposal in proposals:
        thread = proposal.thread
        if thread is None or Comment.objects.filter(thread=thread).exists():
            continue
        for author, stance, body in PROPOSAL_COMMENTS:
            member = people.get(author)
            if member is None:
                continue
            if not can_post_in_thread(member, thread):
                continue
            post_comment(
                thread=thread,
                author=member,
                stance=stance,
                body=body,
                enforce_rate=False,
            )
            made += 1
    return made


from . import demo_climb  # noqa: E402, F401  (its own seeder: a proposal that climbed)
