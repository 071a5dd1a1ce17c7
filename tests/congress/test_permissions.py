"""Who may do what with a congress: the table in docs/permissions.md ("Congress"),
cell by cell, through the API."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from congress import services
from congress.models import Route
from congress.services.forwarding import forward_proposal
from proposals import services as proposal_services
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def table() -> dict[str, dict[str, str]]:
    text = DOC.read_text().split("## Congress", 1)[1]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    out = {}
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        out[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return out


TABLE = table()
CELLS = [(action, viewer) for action, row in TABLE.items() for viewer in row]


@pytest.fixture
def world(tree, admin_member):
    author = MemberFactory(units=[tree["branch"]])
    delegate = MemberFactory(units=[tree["branch"]])
    holder = MemberFactory(units=[tree["branch"]])
    give_role(holder, tree["branch"], "facilitator")
    plain = MemberFactory(units=[tree["branch"]])
    now = timezone.now()
    congress = services.create_congress(
        actor=admin_member,
        name="Kongressen",
        starts=timezone.localdate() - timedelta(days=1),
        ends=timezone.localdate() + timedelta(days=1),
        window_opens=now - timedelta(days=1),
        items_deadline=now + timedelta(days=1),
    )
    services.record_delegate(
        actor=admin_member,
        congress=congress,
        member=delegate,
        unit=tree["district"],
        chosen="vald av årsmötet",
    )
    proposal = proposal_services.create_proposal(
        actor=author,
        title="Cykelpool i avdelningen",
        clauses=["att starta en cykelpool"],
        unit=tree["branch"],
        publish=True,
    )
    item = forward_proposal(
        congress=congress, proposal=proposal, route=Route.SUPPORT, at=now
    )
    return {
        "tree": tree,
        "congress": congress,
        "item": item,
        "viewers": {
            "admin": admin_member,
            "delegate": delegate,
            "role holder of the unit": holder,
            "author": author,
            "member": plain,
            "anonymous": None,
        },
    }


def request(action: str, client: APIClient, w: dict):
    c, item, tree = w["congress"], w["item"], w["tree"]
    base = f"/api/v1/congresses/{c.pk}/"
    at = f"{base}items/{item.pk}/"
    clause = item.clauses.first().pk
    if action == "create congress":
        today = timezone.localdate()
        return client.post(
            "/api/v1/congresses/",
            {
                "name": "Ny kongress",
                "starts": str(today + timedelta(days=3)),
                "ends": str(today + timedelta(days=4)),
                "items_deadline": (timezone.now() + timedelta(days=2)).isoformat(),
            },
            format="json",
        )
    if action == "record delegate":
        new = MemberFactory(units=[tree["branch"]])
        body = {"member": new.pk, "unit": tree["district"].pk, "chosen": "vald"}
        return client.post(f"{base}delegates/", body, format="json")
    if action == "review item":
        return client.post(f"{at}review/", {"recommendation": "Ja"}, format="json")
    if action == "delegate vote":
        body = {"clause": clause, "vote": "yes"}
        return client.post(f"{at}delegate-votes/", body, format="json")
    if action == "respond":
        body = {"unit": tree["branch"].pk, "clause": clause, "position": "support"}
        return client.post(f"{at}responses/", body, format="json")
    if action == "record decision":
        return client.post(f"{at}decision/", {"decision": "adopted"}, format="json")
    if action == "post follow-up":
        services.record_decision(
            actor=w["viewers"]["admin"], congress=c, item=item, decision="adopted"
        )
        body = {"status": "in_progress", "text": "Påbörjat"}
        return client.post(f"{at}follow-ups/", body, format="json")
    if action == "read items":
        return client.get(f"{base}items/")
    raise AssertionError(action)


def test_the_table_covers_every_action():
    assert len(TABLE) == 8
    assert all(
        re.fullmatch(r"[0-9]{3}", v) for row in TABLE.values() for v in row.values()
    )


@pytest.mark.parametrize(("action", "viewer"), CELLS)
def test_cell(action, viewer, world):
    member = world["viewers"][viewer]
    client = client_for(member) if member is not None else APIClient()
    resp = request(action, client, world)
    assert str(resp.status_code) == TABLE[action][viewer], resp.content
