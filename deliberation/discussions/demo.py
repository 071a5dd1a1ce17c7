"""Demo discussions (idempotent): a branch discussion in Södermalm with comments from
anna, bo and members (stances, reactions, a mention, a reply), a live session scheduled
by bo (facilitator), one comment hidden by cecilia (moderator of the district) with a
public reason. (Comments on proposal threads: proposals/demo.py.)"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from deliberation.demo import register_seeder
from deliberation.members.models import Member, Unit

from .models import Comment, LiveSession, Thread
from .services import (
    add_reaction,
    create_thread,
    hide_comment,
    post_comment,
    schedule_live_session,
)

TITLE = "Hur ska vi använda lokalen på Götgatan?"

CONVERSATION = [
    # key, author, stance, body, reply-to key
    (
        "a1",
        "anna",
        "for",
        "Jag föreslår att vi öppnar lokalen för **läxhjälp** två kvällar i "
        "veckan. Det är det grannarna frågar efter mest.",
        None,
    ),
    (
        "b1",
        "bo",
        "question",
        "Bra idé! Vem tar ansvar för nycklarna? @anna, har du pratat med hyresvärden?",
        "a1",
    ),
    (
        "a2",
        "anna",
        "neutral",
        "Ja, hyresvärden är positiv så länge vi städar efter oss.",
        "b1",
    ),
    (
        "m1",
        "member001",
        "against",
        "Jag tycker att lokalen ska vara öppen för *alla* "
        "föreningar, inte bara läxhjälp. Annars stänger vi ute andra.",
        None,
    ),
    (
        "m2",
        "member013",
        "for",
        "Läxhjälp når de som behöver oss mest. Börja där och utvärdera "
        "efter en termin.",
        "m1",
    ),
    (
        "m3",
        "member025",
        "against",
        "Två kvällar binder för mycket folk. En kväll räcker till att börja med.",
        None,
    ),
    (
        "b2",
        "bo",
        "neutral",
        "Jag schemalägger ett livemöte så att vi kan landa i ett förslag "
        "till medlemsmötet. Agendan finns i banderollen ovan.",
        None,
    ),
]

REACTIONS = [
    ("a1", "bo", "agree"),
    ("a1", "member001", "like"),
    ("a1", "member013", "agree"),
    ("a1", "member025", "insightful"),
    ("m1", "member025", "agree"),
    ("m1", "anna", "insightful"),
    ("m2", "anna", "like"),
    ("m3", "member001", "like"),
]


@register_seeder(order=30)
def seed(stdout=None) -> str:
    unit = Unit.objects.filter(code="sodermalm").first()
    people = {
        m.username: m
        for m in Member.objects.filter(
            username__in=[
                "anna",
                "bo",
                "cecilia",
                "member001",
                "member013",
                "member025",
                "admin",
            ]
        )
    }
    if unit is None or "anna" not in people:
        return "skipped (seed members first)"
    made = 0
    if not Thread.objects.filter(title=TITLE, unit=unit).exists():
        made += _seed_branch_thread(unit, people)
    threads, comments = Thread.objects.count(), Comment.objects.count()
    return f"{threads} threads, {comments} comments ({made} new)"


def _seed_branch_thread(unit, people) -> int:
    thread = create_thread(title=TITLE, unit=unit, actor=people["anna"])
    posted: dict[str, Comment] = {}
    for key, author, stance, body, parent in CONVERSATION:
        if author not in people:
            continue
        posted[key] = post_comment(
            thread=thread,
            author=people[author],
            stance=stance,
            body=body,
            parent=posted.get(parent) if parent else None,
            enforce_rate=False,
        )
    for key, who, kind in REACTIONS:
        if key in posted and who in people:
            add_reaction(comment=posted[key], member=people[who], kind=kind)
    if "member025" in people and "cecilia" in people:
        rude = post_comment(
            thread=thread,
            author=people["member025"],
            stance="against",
            body="Ni som vill ha läxhjälp är naiva och borde hålla tyst.",
            enforce_rate=False,
        )
        hide_comment(
            comment=rude,
            moderator=people["cecilia"],
            reason="Personangrepp: kritisera förslag, inte personer "
            "(uppförandekoden, punkt 2).",
        )
    if "bo" in people and not LiveSession.objects.filter(thread=thread).exists():
        start = (timezone.localtime() + timedelta(days=2)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
        schedule_live_session(
            unit=unit,
            facilitator=people["bo"],
            thread=thread,
            title="Livemöte: lokalen på Götgatan",
            agenda="1. Läxhjälp eller öppen lokal?\n2. Hur många kvällar?\n"
            "3. Förslag till medlemsmötet",
            starts=start,
            ends=start + timedelta(minutes=90),
        )
    return len(posted) + 1
