"""The delegations API: own list, give / replace / renew, revoke, the graph, and
the weights in an open poll's result and bulletin."""

from __future__ import annotations

import pytest

from delegations.models import Delegation
from tests.conftest import client_for

from .conftest import close, vote

pytestmark = pytest.mark.django_db


def test_give_list_replace_and_revoke(tree, people, delegating_policy):
    a, b, c = people("a", "b", "c")
    api = client_for(a)
    r = api.post(
        "/api/v1/delegations/",
        {"trustee": b.pk, "fallbacks": [c.pk], "unit": tree["branch"].pk},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["id"]
    assert body["trustee"] == b.pk
    assert body["fallbacks"] == [c.pk]
    assert body["unit"] == tree["branch"].pk
    assert body["topic"] is None
    assert [t["username"] for t in body["trustees"]] == ["p-b", "p-c"]
    listed = api.get("/api/v1/delegations/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == body["id"]
    # same list again: renewed in place (200); another list: replaced (201)
    again = api.post(
        "/api/v1/delegations/",
        {"trustee": b.pk, "fallbacks": [c.pk], "unit": tree["branch"].pk},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    other = api.post(
        "/api/v1/delegations/",
        {"trustee": c.pk, "unit": tree["branch"].pk},
        format="json",
    )
    assert other.status_code == 201
    assert other.json()["id"] != body["id"]
    assert api.get("/api/v1/delegations/").json()["count"] == 1
    assert (
        api.delete(f"/api/v1/delegations/?unit={tree['branch'].pk}").status_code == 204
    )
    assert api.get("/api/v1/delegations/").json()["count"] == 0
    assert (
        api.delete(f"/api/v1/delegations/?unit={tree['branch'].pk}").status_code == 404
    )
    assert Delegation.objects.filter(truster=a).count() == 2  # kept, dated


def test_revoke_by_id_only_your_own(tree, people, delegating_policy):
    a, b = people("a", "b")
    d = client_for(a).post(
        "/api/v1/delegations/",
        {"trustee": b.pk, "unit": tree["branch"].pk},
        format="json",
    )
    pk = d.json()["id"]
    assert client_for(b).delete(f"/api/v1/delegations/?id={pk}").status_code == 404
    assert client_for(a).delete(f"/api/v1/delegations/?id={pk}").status_code == 204


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"trustee": "x", "unit": 1}, "trustee"),
        ({"trustee": 1}, "unit"),
        ({"trustee": 1, "unit": 1, "topic": 1}, "unit"),
        ({"trustee": 1, "unit": 2**63}, "unit"),
        ({"trustee": 1, "fallbacks": [2, 3, 4, 5, 6], "unit": 1}, "fallbacks"),
    ],
)
def test_bad_payloads_are_field_errors(member, payload, field):
    r = client_for(member).post("/api/v1/delegations/", payload, format="json")
    assert r.status_code == 400
    assert field in r.json()


def test_rule_errors_are_400_with_a_code(tree, people, delegating_policy):
    (a,) = people("a")
    r = client_for(a).post(
        "/api/v1/delegations/",
        {"trustee": a.pk, "unit": tree["branch"].pk},
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "self_delegation"


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/delegations/").status_code in (401, 403)
    assert client.get("/api/v1/delegations/graph/?unit=1").status_code in (401, 403)


def test_graph_nodes_with_weights_and_ranked_edges(tree, people, delegating_policy):
    a, b, c, d = people("a", "b", "c", "d")
    for truster, trustees in ((a, [b, c]), (b, [c]), (d, [c])):
        client_for(truster).post(
            "/api/v1/delegations/",
            {
                "trustee": trustees[0].pk,
                "fallbacks": [t.pk for t in trustees[1:]],
                "unit": tree["branch"].pk,
            },
            format="json",
        )
    r = client_for(a).get(f"/api/v1/delegations/graph/?unit={tree['branch'].pk}")
    assert r.status_code == 200
    graph = r.json()
    weights = {n["member"]: n["weight"] for n in graph["nodes"]}
    # C delegates nothing here: if C votes and none of the others do, C carries 4
    assert weights == {c.pk: 4, a.pk: 0, b.pk: 0, d.pk: 0}
    assert {(e["from"], e["to"], e["rank"]) for e in graph["edges"]} == {
        (a.pk, b.pk, 0),
        (a.pk, c.pk, 1),
        (b.pk, c.pk, 0),
        (d.pk, c.pk, 0),
    }
    # the parent unit's graph does not hold the branch's delegations
    up = client_for(a).get(f"/api/v1/delegations/graph/?unit={tree['district'].pk}")
    assert up.json() == {"nodes": [], "edges": []}


def test_graph_needs_a_scope(member):
    assert client_for(member).get("/api/v1/delegations/graph/").status_code == 400
    assert (
        client_for(member).get("/api/v1/delegations/graph/?unit=x").status_code == 400
    )


def test_result_and_bulletin_show_the_weights(
    tree, people, delegating_policy, open_poll
):
    a, b, c = people("a", "b", "c")
    client_for(a).post(
        "/api/v1/delegations/",
        {"trustee": b.pk, "unit": tree["branch"].pk},
        format="json",
    )
    poll = open_poll()
    vote(poll, b, "yes")
    vote(poll, c, "no")
    live = client_for(c).get(f"/api/v1/polls/{poll.pk}/bulletin/").json()
    assert {r["voter"]["id"]: r["weight"] for r in live["results"]} == {
        b.pk: 2,
        c.pk: 1,
    }
    assert client_for(c).get(f"/api/v1/polls/{poll.pk}/").json()["delegation"] is True
    close(poll)
    result = client_for(c).get(f"/api/v1/polls/{poll.pk}/result/").json()
    assert result["represented"] == 3
    assert result["questions"][0]["weights"] == [
        {"member": b.pk, "weight": 2, "choice": "yes"}
    ]
    bulletin = client_for(c).get(f"/api/v1/polls/{poll.pk}/bulletin/").json()
    assert {r["voter"]["id"]: r["weight"] for r in bulletin["results"]} == {
        b.pk: 2,
        c.pk: 1,
    }


def test_own_list_query_count_does_not_grow_with_delegations(
    tree, people, delegating_policy, django_assert_max_num_queries
):
    from proposals.models import Topic

    a, *others = people("a", "b", "c", "d", "e")
    client_for(a).post(
        "/api/v1/delegations/",
        {
            "trustee": others[0].pk,
            "fallbacks": [others[1].pk],
            "unit": tree["branch"].pk,
        },
        format="json",
    )
    for n in range(4):
        topic = Topic.objects.create(name=f"Ämne {n}", slug=f"amne-{n}")
        client_for(a).post(
            "/api/v1/delegations/",
            {
                "trustee": others[n].pk,
                "fallbacks": [others[(n + 1) % 4].pk],
                "topic": topic.pk,
            },
            format="json",
        )
    api = client_for(a)
    with django_assert_max_num_queries(7):
        r = api.get("/api/v1/delegations/")
    assert r.json()["count"] == 5


def test_admins_set_delegation_rules_in_the_policy(api_for, tree, admin_member, people):
    (a, b) = people("a", "b")
    r = api_for(admin_member).patch(
        f"/api/v1/units/{tree['district'].pk}/policy/",
        {
            "ballot": "open",
            "delegation_allowed": True,
            "delegation_cap": 3,
            "delegation_days": 30,
            "reason": "Stämman beslöt",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["delegation_cap"] == 3
    bad = api_for(admin_member).patch(
        f"/api/v1/units/{tree['district'].pk}/policy/",
        {"delegation_cap": 0, "reason": "x"},
        format="json",
    )
    assert bad.status_code == 400
    given = api_for(a).post(
        "/api/v1/delegations/",
        {"trustee": b.pk, "unit": tree["branch"].pk},
        format="json",
    )
    assert given.status_code == 201
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    expires = parse_datetime(given.json()["expires"])
    assert (
        timezone.now() + timedelta(days=29)
        < expires
        < timezone.now() + timedelta(days=31)
    )
