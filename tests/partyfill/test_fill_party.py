"""`manage.py fill_party` at a small size on the test PostgreSQL, then read back
through the real API and pages: the counters equal the rows, the lists, the thread,
a counted poll and search answer, and the read rules still hold on filled data."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from deliberation.discussions.models import Comment, Thread, ThreadEvent
from deliberation.markdown import render_markdown
from deliberation.members.models import Member, Membership
from partyfill.checks import run_checks
from partyfill.text import ParagraphPool
from proposals.models import Proposal, ProposalAuthor, State, Support
from voting.models import BulletinBallot, Participation, Poll, PollState, Result

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="fill_party writes with COPY"
    ),
]

SMALL = {"members": 300, "proposals": 30, "comments": 2000, "polls": 4, "seed": 7}


@pytest.fixture
def filled(capsys):
    call_command("fill_party", **SMALL)
    return capsys.readouterr().out


def token_client(username: str) -> APIClient:
    """Signed in the way a load test signs in: the token endpoint and the demo
    password every filled member shares."""
    client = APIClient()
    resp = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": settings.TORGET["DEMO_PASSWORD"]},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    return client


def test_fill_writes_the_sizes_asked_for_and_reports_each_step(filled):
    assert Member.objects.count() == SMALL["members"]
    assert Proposal.objects.count() == SMALL["proposals"]
    assert Comment.objects.count() == SMALL["comments"]
    assert Poll.objects.filter(state=PollState.CLOSED).count() == SMALL["polls"]
    assert Poll.objects.filter(state=PollState.OPEN).exists()
    for step in ("units", "members", "proposals and supports", "comments", "polls"):
        assert step in filled
    assert "checks passed" in filled
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.GATHERING_SUPPORT, State.EXPIRED} <= states
    assert states & {State.ADOPTED, State.REJECTED}
    # a few members are in two branches; usernames and e-mail addresses are unique
    assert Membership.objects.filter(until__isnull=True).count() > SMALL["members"]
    assert Member.objects.values("email").distinct().count() == SMALL["members"]
    assert Member.objects.filter(is_superuser=True).count() == 1


def test_every_counter_equals_what_it_counts(filled):
    problems = run_checks(recount_polls=100)
    assert problems
    assert not any(problems.values()), problems
    # spot checks of the same by the ORM, independent of the SQL checks
    thread = Thread.objects.order_by("-comment_count").first()
    assert thread.comment_count == Comment.objects.filter(thread=thread).count() > 0
    assert thread.last_seq == ThreadEvent.objects.filter(thread=thread).count()
    proposal = Proposal.objects.order_by("-support_count").first()
    assert proposal.support_count == Support.objects.filter(proposal=proposal).count()
    for result in Result.objects.all():
        assert (
            result.ballots
            == result.participations
            == (BulletinBallot.objects.filter(poll_id=result.poll_id).count())
        )


def test_the_api_and_pages_answer_on_the_filled_party(filled):
    proposal = (
        Proposal.objects.filter(state=State.DISCUSSION)
        .order_by("-thread__comment_count")
        .select_related("thread", "unit")
        .first()
        or Proposal.objects.exclude(published_at=None)
        .order_by("-thread__comment_count")
        .select_related("thread", "unit")
        .first()
    )
    reader = Member.objects.filter(
        memberships__unit__path__startswith=proposal.unit.path,
        memberships__until__isnull=True,
    ).first()
    api = token_client(reader.username)

    listed = api.get("/api/v1/proposals/")
    assert listed.status_code == 200
    published = Proposal.objects.exclude(published_at=None).count()
    own_drafts = ProposalAuthor.objects.filter(
        member=reader, proposal__published_at=None
    ).count()
    assert listed.json()["count"] == published + own_drafts

    detail = api.get(f"/api/v1/proposals/{proposal.pk}/")
    assert detail.status_code == 200
    assert detail.json()["support_count"] == proposal.support_count

    comments = api.get(f"/api/v1/threads/{proposal.thread_id}/comments/")
    assert comments.status_code == 200
    assert comments.json()["count"] == proposal.thread.comment_count

    page = Client()
    page.force_login(reader)
    assert page.get("/proposals/").status_code == 200
    assert page.get(f"/proposals/{proposal.pk}/").status_code == 200
    assert page.get(f"/threads/{proposal.thread_id}/").status_code == 200

    poll = Poll.objects.filter(state=PollState.CLOSED).order_by("-eligible_count")[0]
    voter = Member.objects.get(
        pk=Participation.objects.filter(poll=poll).values("member_id")[:1]
    )
    voter_api = token_client(voter.username)
    result = voter_api.get(f"/api/v1/polls/{poll.pk}/result/")
    assert result.status_code == 200, result.content
    bulletin = voter_api.get(f"/api/v1/polls/{poll.pk}/bulletin/")
    assert bulletin.status_code == 200
    assert bulletin.json()["count"] == poll.result.ballots
    assert page.get(f"/polls/{poll.pk}/").status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_search_finds_a_filled_comment(filled):
    comment = (
        Comment.objects.filter(thread__proposal__published_at__isnull=False)
        .select_related("thread__unit")
        .order_by("id")
        .first()
    )
    reader = Member.objects.filter(
        memberships__unit__path__startswith=comment.thread.unit.path
    ).first()
    word = max(comment.body.replace(",", " ").replace(".", " ").split(), key=len)
    resp = token_client(reader.username).get(
        "/api/v1/search/", {"q": word, "type": "comment"}
    )
    assert resp.status_code == 200
    hits = resp.json()
    assert hits["count"] > 0
    ids = [h["id"] for h in hits["results"]]
    assert Comment.objects.filter(pk__in=ids).count() == len(ids)


def test_read_rules_hold_on_filled_data(filled):
    draft = Proposal.objects.filter(state=State.DRAFT).select_related("unit").first()
    author = ProposalAuthor.objects.get(proposal=draft, is_creator=True).member
    stranger = (
        Member.objects.exclude(authorships__proposal=draft).order_by("id").first()
    )
    assert (
        token_client(author.username).get(f"/api/v1/proposals/{draft.pk}/").status_code
        == 200
    )
    stranger_api = token_client(stranger.username)
    assert stranger_api.get(f"/api/v1/proposals/{draft.pk}/").status_code == 404
    assert stranger_api.get(
        f"/api/v1/threads/{draft.thread_id}/comments/"
    ).status_code in (403, 404)

    secret = Poll.objects.filter(state=PollState.CLOSED, ballot="secret").first()
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/polls/{secret.pk}/result/").status_code in (
        401,
        403,
    )
    # a secret bulletin names no voter
    assert not BulletinBallot.objects.filter(poll=secret, voter__isnull=False).exists()
    opened = Poll.objects.filter(state=PollState.CLOSED, ballot="open").first()
    assert opened is not None, "the open-ballot district had a counted vote"
    assert not BulletinBallot.objects.filter(poll=opened, voter__isnull=True).exists()


def test_fill_refuses_a_database_that_has_members(filled):
    with pytest.raises(CommandError, match="empty database"):
        call_command("fill_party", **SMALL)


def test_the_same_seed_fills_the_same_party(capsys):
    def fingerprint() -> tuple:
        return (
            list(Member.objects.order_by("id").values_list("username", "full_name")),
            list(Proposal.objects.order_by("id").values_list("title", "state")),
            list(Comment.objects.order_by("id").values_list("body", "depth")[:500]),
        )

    sizes = SMALL | {"members": 120, "proposals": 12, "comments": 600, "polls": 2}
    prints = []
    for _run in range(2):
        with transaction.atomic():
            call_command("fill_party", **sizes)
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert connection.vendor == "postgresql"


def test_joined_paragraphs_render_like_the_joined_text():
    import random

    pool = ParagraphPool(random.Random(1), size=20)
    for a, b in zip(range(10), range(10, 20), strict=True):
        joined = pool.texts[a] + "\n\n" + pool.texts[b]
        assert render_markdown(joined) == pool.html[a] + pool.html[b]
