"""The database for bench_load.py: a filled party, then what the load needs on top of
it (the simulated members' password and tokens, hot threads for the websocket
watchers, open polls for the voting peak), and the plan the Locust process reads.

Two fillers. `fill_party` (the management command, 100,000 members, 10,000 proposals,
1,000,000 comments, closed polls) when it exists; else, and with `--own-fill`, a
smaller party built here with the same bulk builders as the other benchmarks
(bench_proposals.py, bench_thread.py). Everything after the fill only reads what is
there, so it works on either.

Not a benchmark itself (make bench runs bench/bench_*.py)."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

PASSWORD = "load-day-password"
HOT_THREADS = 20
SIGN_IN_EVERY = 5  # 1 in 5 simulated members signs in; the others have a session
# --small: a tenth of the party (fill_party's options)
SMALL = {"members": 10_000, "proposals": 1_000, "comments": 100_000, "polls": 10}
SEARCH_TERMS = ["klimat", "skola", "cykelbanor", "bostäder", "vård", "energi", "tåg"]


def has_fill_party() -> bool:
    from django.core.management import get_commands

    return "fill_party" in get_commands()


def fill(*, small: bool, own: bool) -> str:
    """Fill the (migrated, empty) database; return what filled it."""
    from django.core.management import call_command

    t0 = time.perf_counter()
    if not own and has_fill_party():
        sizes = SMALL if small else {}
        call_command("fill_party", **sizes)
        how = "fill_party " + " ".join(f"--{k} {v}" for k, v in sizes.items())
    else:
        own_fill(members=2_000 if small else 10_000, proposals=100 if small else 200)
        how = "own fill (bench/load_data.py)"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  filled by {how} in {time.perf_counter() - t0:.0f} s")
    return how


# ------------------------------------------------------------------ own fill


def own_fill(*, members: int, proposals: int) -> None:
    """A smaller party: a unit tree of 22 units, `members` members in its 12
    branches, `proposals` proposals published through the service (each with its
    thread), 40 comments on each thread in bulk."""
    from deliberation.discussions.models import Comment, Stance, Thread
    from deliberation.discussions.services import render_comment
    from deliberation.members.models import Member, Membership, Unit, UnitKind
    from deliberation.members.services import create_unit
    from proposals import services

    rng = random.Random(15)
    national = create_unit(name="Partiet", code="national", kind=UnitKind.NATIONAL)
    for d in range(3):
        district = create_unit(
            name=f"Distrikt {d}", code=f"d{d}", kind=UnitKind.DISTRICT, parent=national
        )
        for m in range(2):
            muni = create_unit(
                name=f"Kommun {d}{m}",
                code=f"m{d}{m}",
                kind=UnitKind.MUNICIPALITY,
                parent=district,
            )
            for b in range(2):
                create_unit(
                    name=f"Avdelning {d}{m}{b}",
                    code=f"b{d}{m}{b}",
                    kind=UnitKind.BRANCH,
                    parent=muni,
                )
    branches = list(Unit.objects.filter(kind=UnitKind.BRANCH).order_by("id"))
    Member.objects.bulk_create(
        [
            Member(username=f"m{i}", full_name=f"Medlem {i}", password="!")
            for i in range(members)
        ],
        batch_size=10_000,
    )
    ids = list(Member.objects.order_by("id").values_list("id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(
                member_id=pk,
                unit=branches[i % len(branches)],
                since=date(2024, 1, 1),
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=10_000,
    )
    units = {u.pk: u for u in Unit.objects.all()}
    for i in range(proposals):
        j = rng.randrange(len(ids))  # the author and their branch
        unit = units[rng.choice(branches[j % len(branches)].ancestor_ids)]
        word = rng.choice(SEARCH_TERMS)
        services.create_proposal(
            actor=Member.objects.get(pk=ids[j]),
            title=f"Förslag {i}: mer {word} i {unit.name}",
            body=f"Vi behöver **{word}**. " + " ".join(rng.choices(SEARCH_TERMS, k=40)),
            clauses=[f"att partiet verkar för {word}"],
            unit=unit,
            publish=True,
        )
    bodies = [f"Kommentar {k} om **förslaget** och vad det betyder." for k in range(10)]
    htmls = [render_comment(b, []) for b in bodies]
    stances = list(Stance.values)
    rows = []
    threads = list(Thread.objects.filter(proposal__isnull=False))
    for thread in threads:
        for n in range(40):
            k = rng.randrange(len(bodies))
            rows.append(
                Comment(
                    thread=thread,
                    author_id=rng.choice(ids),
                    stance=rng.choice(stances),
                    body=bodies[k],
                    body_html=htmls[k],
                    seq=thread.last_seq + n + 1,
                )
            )
    Comment.objects.bulk_create(rows, batch_size=10_000)
    for thread in threads:
        Thread.objects.filter(pk=thread.pk).update(
            comment_count=thread.comment_count + 40, last_seq=thread.last_seq + 40
        )


# ------------------------------------------------------------------ on top of it


def prepare(*, users: int, watchers: int, seed: int = 15) -> dict:
    """The simulated members (password set, API token), the watchers' tokens, hot
    threads and open polls; returns the Locust plan."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from deliberation.discussions.services import create_thread
    from deliberation.members.models import Member, Membership, Unit, UnitKind
    from proposals.models import SUPPORTABLE_STATES, Proposal, Support
    from voting import services as voting

    rng = random.Random(seed)
    national = Unit.objects.get(parent__isnull=True)
    in_branches = (
        Membership.objects.current()
        .filter(unit__kind=UnitKind.BRANCH, member__is_active=True)
        .order_by("member_id")
        .values_list("member_id", "unit_id")
    )
    # one branch per member (some have two)
    pairs = list(dict(in_branches[: max(50_000, users + watchers)]).items())
    rng.shuffle(pairs)
    chosen = dict(pairs[:users])  # member id -> branch id
    watcher_ids = [m for m, _b in pairs[users : users + watchers]]
    if len(chosen) < users or len(watcher_ids) < watchers:
        raise SystemExit("the database has too few members in branches")
    Member.objects.filter(pk__in=chosen).update(password=make_password(PASSWORD))
    Token.objects.filter(user_id__in=[*chosen, *watcher_ids]).delete()
    Token.objects.bulk_create(
        [Token(user_id=m, key=Token.generate_key()) for m in [*chosen, *watcher_ids]]
    )
    tokens = dict(Token.objects.values_list("user_id", "key"))
    names = dict(Member.objects.filter(pk__in=chosen).values_list("pk", "username"))
    sessions = signed_in_sessions(list(chosen))

    actor = Member.objects.get(pk=next(iter(chosen)))
    hot = [
        create_thread(title=f"Kvällens debatt {i}", unit=national, actor=actor).pk
        for i in range(HOT_THREADS)
    ]
    closes = timezone.now() + timedelta(hours=3)
    polls = []
    for i, (method, ballot) in enumerate(
        [
            ("yes_no_abstain", "secret"),
            ("yes_no_abstain", "secret"),
            ("yes_no_abstain", "open"),
            ("schulze", "secret"),
        ]
    ):
        poll = voting.create_advisory_poll(
            actor=actor,
            unit=national,
            thread=None,
            question=f"Rådgivande omröstning {i}: ska partiet gå vidare?",
            method=method,
            options=[f"Alternativ {k}" for k in range(5)]
            if method == "schulze"
            else [],
            ballot=ballot,
            closes=closes,
        )
        question = poll.questions.get()
        polls.append(
            {
                "id": poll.pk,
                "secret": ballot == "secret",
                "question": question.pk,
                "options": list(
                    question.options.order_by("position").values_list("id", flat=True)
                ),
            }
        )

    published = Proposal.objects.filter(published_at__isnull=False)
    browse = list(
        published.filter(thread__isnull=False)
        .order_by("?")
        .values_list("id", "thread_id")[:2000]
    )
    groups: dict[int, dict] = {}
    for branch_id in set(chosen.values()):
        scope = Unit.objects.get(pk=branch_id).ancestor_ids
        mine = published.filter(unit_id__in=scope, thread__isnull=False)
        # Headroom: toggling support never pushes one past its quorum mid-run.
        supportable = list(
            mine.filter(state__in=SUPPORTABLE_STATES)
            .exclude(support_needed__lte=users + 10)
            .order_by("?")
            .values_list("id", "support_count", "support_needed")[:400]
        )
        groups[branch_id] = {
            "support": [
                pid for pid, have, need in supportable if need - have > users + 10
            ][:200],
            "threads": list(mine.order_by("?").values_list("thread_id", flat=True))[
                :200
            ],
        }
    supported = set(
        Support.objects.filter(member_id__in=chosen).values_list(
            "member_id", "proposal_id"
        )
    )
    members = []
    for member_id, branch_id in chosen.items():
        group = groups[branch_id]
        members.append(
            {
                "id": member_id,
                "username": names[member_id],
                "token": tokens[member_id],
                "session": sessions[member_id],
                "group": str(branch_id),
                "supported": [
                    p for p in group["support"] if (member_id, p) in supported
                ],
            }
        )
    print(
        f"  {len(members)} simulated members in {len(groups)} branches, "
        f"{len(watcher_ids)} watchers, {len(hot)} hot threads, {len(polls)} open "
        f"polls (voter rolls of {polls_roll(polls[0]['id']):,} members)"
    )
    return {
        "password": PASSWORD,
        "sign_in_every": SIGN_IN_EVERY,
        "members": members,
        "groups": {str(k): v for k, v in groups.items()},
        "browse_proposals": [p for p, _t in browse],
        "browse_threads": [t for _p, t in browse],
        "hot_threads": hot,
        "polls": polls,
        "search_terms": SEARCH_TERMS,
        "watcher_tokens": [tokens[m] for m in watcher_ids],
    }


def signed_in_sessions(member_ids: list[int]) -> dict[int, str]:
    """A session for each member, as a sign-in leaves it (members come back signed
    in: sessions last two weeks); the Locust members who sign in replace theirs."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from deliberation.members.models import Member

    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = {}
    for member in Member.objects.filter(pk__in=member_ids):
        session = store()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.create()
        out[member.pk] = session.session_key
    return out


def polls_roll(poll_id: int) -> int:
    from voting.models import VoterRoll

    return VoterRoll.objects.filter(poll_id=poll_id).count()
