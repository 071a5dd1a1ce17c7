"""The data set of bench/bench_speed.py (the sizes of the speed issue), built with bulk
inserts where it is large and through the services where it is small:

* 10,000 proposals in a tree of 19 units, 1,000 members (bench_proposals.create_data);
* in the viewer's branch: a thread of 2,000 comments (400 top-level comments with 4
  replies each, so its first page shows 20 roots and their 80 replies) and a thread of
  20 comments of the same shape (4 roots with 4 replies: its first page is the whole
  thread), with reactions, a few hidden and deleted comments and some of the viewer's
  own reactions; a third thread like the first takes the POST row's comments;
* a proposal in discussion in that branch: three revisions, supported past its quorum,
  10 comments (5 roots with a reply each) on its thread, one amendment.

Not a benchmark itself (make bench runs bench/bench_*.py)."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field

import bench_proposals

POSTERS = 8  # members who post concurrently (one per client)


@dataclass
class World:
    """Ids of what the rows read and write."""

    viewer: int
    big_thread: int = 0
    small_thread: int = 0
    post_thread: int = 0  # the POST row's: same shape as big_thread, not timed
    post_roots: list[int] = field(default_factory=list)
    proposal: int = 0
    posters: list[int] = field(default_factory=list)


MARKER = "bench_speed_world"  # a table outside Django's: the World of a kept database


def save_world(world: World) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_speed_world (data jsonb NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_speed_world (data) VALUES (%s)",
            [json.dumps(asdict(world))],
        )


def load_world() -> World | None:
    """The World of a database kept by `--reuse`, or None when there is none."""
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM bench_speed_world")
        (data,) = cursor.fetchone()
    return World(**(json.loads(data) if isinstance(data, str) else data))


def _comments(thread, members, roots: int, replies: int, rng: random.Random) -> int:
    """roots × (1 + replies) comments in reading order, one minute apart."""
    from django.utils import timezone

    from deliberation.discussions.models import Comment, Stance, Thread
    from deliberation.discussions.services import render_comment

    stances = list(Stance.values)
    start = timezone.now() - timezone.timedelta(days=10)
    bodies = [
        f"Comment {i} with **some** Markdown, a list:\n\n- one\n- two\n\n"
        f"and a [link](https://example.org/{i})."
        for i in range(20)
    ]
    htmls = [render_comment(b, []) for b in bodies]
    seq = iter(range(1, roots * (1 + replies) + 1))

    def comment(**kw):
        i = next(seq)
        k = rng.randrange(len(bodies))
        counts = {"like": rng.randrange(5), "agree": rng.randrange(3)}
        return Comment(
            thread=thread,
            author=rng.choice(members),
            stance=rng.choice(stances),
            body=bodies[k],
            body_html=htmls[k],
            seq=i,
            created=start + timezone.timedelta(seconds=i * 60),
            reaction_counts=counts,
            reaction_total=sum(counts.values()),
            hidden=(i % 97 == 0),
            deleted=(start if i % 89 == 0 else None),
            **kw,
        )

    made = Comment.objects.bulk_create([comment() for _ in range(roots)])
    made += Comment.objects.bulk_create(
        [
            comment(parent=root, root=root, depth=1)
            for root in made
            for _ in range(replies)
        ]
    )
    n = len(made)
    Thread.objects.filter(pk=thread.pk).update(
        comment_count=n, last_seq=n, last_activity=made[-1].created
    )
    return n


def _reactions(viewer, thread_id: int, every: int) -> None:
    """The viewer's own reactions on every `every`-th comment (they show as pressed)."""
    from deliberation.discussions.models import Comment, Reaction

    ids = Comment.objects.filter(thread_id=thread_id).values_list("id", flat=True)
    Reaction.objects.bulk_create(
        [
            Reaction(comment_id=cid, member=viewer, kind="like")
            for i, cid in enumerate(ids.order_by("id"))
            if i % every == 0
        ]
    )


def _proposal(branch, members, viewer, rng: random.Random) -> int:
    """A proposal in discussion: revised twice, supported past its quorum, 10
    comments, one amendment — through the services, as members would."""
    from deliberation.discussions.services import post_comment
    from proposals import services
    from proposals.models import State, Topic

    author = members[1]
    proposal = services.create_proposal(
        actor=author,
        title="Nattbussar varje timme",
        body="Vi vill ha **nattbussar** varje timme.\n\nDet gör staden tryggare.",
        clauses=["att partiet verkar för nattbussar", "att turerna går varje timme"],
        unit=branch,
        topics=list(Topic.objects.order_by("id")[:2]),
        publish=True,
    )
    for text in ("Nattbussar varje timme, hela året", "Nattbussar varje halvtimme"):
        proposal = services.update_proposal(
            proposal=proposal, actor=author, title=text, note="bench"
        )
    supporters = [m for m in members if m.pk not in (author.pk, viewer.pk)]
    for member in supporters[: proposal.support_needed + 10]:
        proposal = services.support_proposal(proposal=proposal, member=member)
    assert proposal.state == State.DISCUSSION, proposal.state
    services.create_amendment(
        proposal=proposal,
        actor=members[2],
        original="varje timme",
        replacement="varje halvtimme",
    )
    thread = proposal.thread
    for i in range(5):
        root = post_comment(
            thread=thread,
            author=rng.choice(members),
            body=f"Synpunkt {i}: **bra** idé, men hur betalar vi?",
            stance="for" if i % 2 else "question",
            enforce_rate=False,
        )
        post_comment(
            thread=thread,
            author=rng.choice(members),
            body=f"Svar {i}: med [biljetterna](https://example.org/{i}).",
            parent=root,
            enforce_rate=False,
        )
    return proposal.pk


def build() -> World:
    """Migrates and fills the (empty) database the process is configured with."""
    from django.db import connection

    from deliberation.discussions.models import Comment
    from deliberation.discussions.services import create_thread
    from deliberation.members.models import Membership

    viewer = bench_proposals.create_data()  # migrates; 10,000 proposals
    rng = random.Random(14)
    branch = Membership.objects.select_related("unit").get(member=viewer).unit
    members = [
        m.member
        for m in Membership.objects.filter(unit=branch)
        .select_related("member")
        .order_by("member_id")
    ]
    world = World(viewer=viewer.pk)
    threads = []
    for title, roots in [("Två tusen", 400), ("Tjugo", 4), ("Skrivs i", 400)]:
        thread = create_thread(title=title, unit=branch, actor=members[3])
        _comments(thread, members, roots=roots, replies=4, rng=rng)
        _reactions(viewer, thread.pk, every=7)
        threads.append(thread.pk)
    world.big_thread, world.small_thread, world.post_thread = threads
    world.post_roots = list(
        Comment.objects.filter(thread_id=world.post_thread, parent__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:20]
    )
    world.proposal = _proposal(branch, members, viewer, rng)
    world.posters = [m.pk for m in members if m.pk != viewer.pk][-POSTERS:]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return world
