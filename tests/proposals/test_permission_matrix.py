"""The proposal permission matrix, cell by cell: viewer × state × surface.

The expected answers are read from the tables in docs/permissions.md, so the page and
the behaviour cannot drift apart. Every state is reached through the services where a
service leads there (publish, withdraw); the later states are set on a published
proposal (their transitions are tested in test_services.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from deliberation.asgi import application
from proposals import services
from proposals.models import Proposal
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role, make_tree

pytestmark = pytest.mark.django_db(transaction=True)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
RATIONALE = "Hemlig motivering som bara författarna ser."


def word_for(state: str) -> str:
    """A word found only in the title of the proposal in this state."""
    return "Kvarnby" + "".join(chr(ord("a") + int(d)) for d in str(STATES.index(state)))


def doc_tables() -> dict[str, dict[str, dict[str, str]]]:
    """state → viewer → column → answer, from the `### ...` tables of the doc."""
    tables: dict[str, dict[str, dict[str, str]]] = {}
    states: list[str] = []
    header: list[str] | None = None
    for line in DOC.read_text().splitlines():
        if line.startswith("### "):
            states = re.findall(r"`([a-z_-]+)`", line)
            header = None
            continue
        if not states or not line.startswith("|"):
            if header is not None and not line.startswith("|"):
                states, header = [], None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set(cells[0]) <= {"-"}:
            continue
        row = dict(zip(header[1:], cells[1:], strict=True))
        for state in states:
            tables.setdefault(state, {})[cells[0]] = row
    return tables


TABLES = doc_tables()
VIEWERS = [
    "author",
    "co-author (invited)",
    "co-author (accepted)",
    "member of the unit",
    "member elsewhere",
    "moderator",
    "anonymous",
]
STATES = [
    "draft",
    "withdrawn-unpublished",
    "gathering_support",
    "discussion",
    "frozen",
    "voting",
    "adopted",
    "rejected",
    "expired",
    "withdrawn",
]


def test_the_doc_has_every_cell():
    assert sorted(TABLES) == sorted(STATES)
    for state in STATES:
        assert list(TABLES[state]) == VIEWERS, state
        for row in TABLES[state].values():
            assert len(row) == 14
            assert all(row.values())


def make_people(tree) -> dict:
    branch = tree["branch"]
    # elsewhere: another municipality (members of sibling branches may support,
    # docs/flat.md; tests/proposals/test_climb.py)
    elsewhere = make_tree()["branch"]
    people = {
        "author": MemberFactory(units=[branch]),
        "co-author (invited)": MemberFactory(units=[branch]),
        "co-author (accepted)": MemberFactory(units=[branch]),
        "member of the unit": MemberFactory(units=[branch]),
        "member elsewhere": MemberFactory(units=[elsewhere]),
        "moderator": MemberFactory(units=[elsewhere]),
    }
    give_role(people["moderator"], tree["district"], "moderator")
    for member in people.values():
        Token.objects.get_or_create(user=member)
    return people


def make_proposal(tree, people, state: str) -> Proposal:
    branch = tree["branch"]
    proposal = services.create_proposal(
        actor=people["author"],
        title=f"Cykelbana längs {word_for(state)}",
        body=RATIONALE,
        clauses=["att partiet bygger cykelbanan"],
        unit=branch,
        coauthors=[people["co-author (invited)"], people["co-author (accepted)"]],
        publish=False,
    )
    services.accept_coauthorship(
        proposal=proposal, member=people["co-author (accepted)"]
    )
    if state == "withdrawn-unpublished":
        services.withdraw_proposal(proposal=proposal, actor=people["author"])
    elif state != "draft":
        services.publish_proposal(proposal=proposal, actor=people["author"])
        if state == "withdrawn":
            services.withdraw_proposal(proposal=proposal, actor=people["author"])
        elif state != "gathering_support":
            Proposal.objects.filter(pk=proposal.pk).update(
                state=state, closed_at=timezone.now()
            )
    proposal.refresh_from_db()
    assert proposal.state == state.replace("-unpublished", "")
    return proposal


def listed(response, proposal_id: int) -> str:
    if response.status_code != 200:
        return str(response.status_code)
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    return "listed" if any(r["id"] == proposal_id for r in results) else "absent"


async def _socket(thread_id: int, token: str | None) -> str:
    """`open` when the socket answers a ping, else the code it was closed with."""
    path = f"/ws/threads/{thread_id}/" + (f"?token={token}" if token else "")
    comm = WebsocketCommunicator(application, path)
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "ping"})
    while True:
        message = await comm.receive_output(timeout=3)
        if message["type"] == "websocket.close":
            return str(message["code"])
        if '"pong"' in message.get("text", ""):
            await comm.disconnect()
            return "open"


def answers(member, proposal: Proposal, word: str) -> dict[str, str]:
    thread = proposal.thread_id
    if member is None:
        api, page = client_for_anonymous(), Client()
        token = None
    else:
        api, page = client_for(member), Client()
        page.force_login(member)
        token = Token.objects.get(user=member).key
    out = {}
    detail = api.get(f"/api/v1/proposals/{proposal.pk}/")
    out["API detail"] = str(detail.status_code)
    if detail.status_code == 200:
        assert detail.json()["title"] == proposal.title
    out["API list"] = listed(api.get("/api/v1/proposals/"), proposal.pk)
    out["search"] = listed(api.get("/api/v1/proposals/", {"q": word}), proposal.pk)
    out["similar"] = listed(
        api.get("/api/v1/proposals/similar/", {"q": word}), proposal.pk
    )
    out["site search"] = listed(
        api.get("/api/v1/search/", {"q": word, "type": "proposal"}), proposal.pk
    )
    listing = page.get("/proposals/", {"page_size": 100})
    assert listing.status_code == 200  # a visitor too: titles, units, states
    link = f'href="/proposals/{proposal.pk}/"'
    out["list page"] = "listed" if link in listing.content.decode() else "absent"
    shown = page.get(f"/proposals/{proposal.pk}/")
    out["page"] = str(shown.status_code)
    text = shown.content.decode()
    if shown.status_code == 200 and member is None:
        assert RATIONALE not in text
        out["page"] = "teaser"
    if shown.status_code != 200:
        assert word not in text
    out["thread list"] = listed(
        api.get("/api/v1/threads/", {"kind": "proposal", "page_size": 100}), thread
    )
    comments = api.get(f"/api/v1/threads/{thread}/comments/")
    out["thread"] = str(comments.status_code)
    if comments.status_code != 200:
        assert word not in comments.content.decode()
    thread_page = page.get(f"/threads/{thread}/")
    out["thread page"] = str(thread_page.status_code)
    if thread_page.status_code == 302:
        assert "/accounts/login/" in thread_page["Location"]
        out["thread page"] = "login"
    elif thread_page.status_code != 200:
        assert word not in thread_page.content.decode()
    posted = api.post(
        f"/api/v1/threads/{thread}/comments/", {"body": "Jag håller med."}
    )
    out["comment"] = str(posted.status_code)
    out["socket"] = async_to_sync(_socket)(thread, token)
    followed = api.post(
        "/api/v1/follows/", {"target_kind": "proposal", "target_id": proposal.pk}
    )
    out["follow"] = "201" if followed.status_code == 200 else str(followed.status_code)
    feed = Client().get("/proposals/feed/").content.decode()
    out["feed"] = "listed" if f"/proposals/{proposal.pk}/" in feed else "absent"
    return out


def client_for_anonymous():
    from rest_framework.test import APIClient

    return APIClient()


def test_every_cell(tree):
    """One world (the same people, a proposal in each state) checked cell by cell;
    the message names every cell that differs from docs/permissions.md."""
    people = make_people(tree)
    proposals = {state: make_proposal(tree, people, state) for state in STATES}
    wrong, checked = [], 0
    for state, proposal in proposals.items():
        expected = TABLES[state]
        for viewer in VIEWERS:  # anonymous has no entry in `people`
            got = answers(people.get(viewer), proposal, word_for(state))
            assert set(got) == set(expected[viewer])
            for column, value in got.items():
                checked += 1
                if expected[viewer][column] != value:
                    wrong.append(
                        f"{state} × {viewer} × {column}: "
                        f"expected {expected[viewer][column]}, got {value}"
                    )
    assert not wrong, "\n".join(wrong)
    assert checked == len(STATES) * len(VIEWERS) * 14
