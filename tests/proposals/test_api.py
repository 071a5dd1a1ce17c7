"""The proposals API contract (DESIGN.md §5), its errors and permissions."""

from __future__ import annotations

import pytest

from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import Thread, ThreadEvent
from proposals.models import Proposal, State, StateChange, Support
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role, make_tree
from tests.proposals.conftest import move_past_deadline

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "id",
    "title",
    "body",
    "body_html",
    "clauses",
    "state",
    "unit",
    "topics",
    "authors",
    "thread",
    "support_count",
    "support_needed",
    "created",
}


def test_create_published_proposal_answers_contract_fields(api, tree, topic, member):
    resp = api.post(
        "/api/v1/proposals/",
        {
            "title": "Gratis kollektivtrafik för unga",
            "body": "Det är **viktigt**.",
            "clauses": [
                "att partiet driver gratis kollektivtrafik",
                "att börja i Stockholm",
            ],
            "unit": tree["branch"].pk,
            "topics": [topic.pk],
            "publish": True,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["state"] == "gathering_support"
    assert body["clauses"] == [
        "att partiet driver gratis kollektivtrafik",
        "att börja i Stockholm",
    ]
    assert body["body_html"] == "<p>Det är <strong>viktigt</strong>.</p>\n"
    assert body["topics"] == [topic.pk]
    assert body["authors"][0]["id"] == member.pk
    assert Thread.objects.get(pk=body["thread"]).kind == "proposal"
    assert body["support_needed"] >= 1
    assert body["days_left"] == 30
    assert body["state_changes"][0]["to_state"] == "gathering_support"


def test_draft_without_clauses_has_its_title_as_clause(api, tree):
    resp = api.post(
        "/api/v1/proposals/",
        {"title": "Ett förslag utan att-satser", "unit": tree["branch"].pk},
        format="json",
    )
    assert resp.status_code == 201
    assert resp.json()["state"] == "draft"
    assert resp.json()["clauses"] == ["Ett förslag utan att-satser"]


def test_markdown_is_sanitised(api, tree):
    body = (
        "<script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)>"
        " [ok](https://example.org)"
    )
    resp = api.post(
        "/api/v1/proposals/",
        {"title": "Säkerhet först", "body": body, "unit": tree["branch"].pk},
        format="json",
    )
    html = resp.json()["body_html"]
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="nofollow noopener ugc">ok</a>' in html


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "kort"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Bra titel här", "body": "x" * 20_001}, "body"),
        ({"title": "Bra titel här", "clauses": ["x" * 1001]}, "clauses"),
        ({"title": "Bra titel här", "clauses": "inte en lista"}, "clauses"),
    ],
)
def test_length_limits_give_field_errors(api, tree, payload, field):
    resp = api.post(
        "/api/v1/proposals/", {"unit": tree["branch"].pk, **payload}, format="json"
    )
    assert resp.status_code == 400
    assert field in resp.json()
    assert Proposal.objects.count() == 0


def test_missing_unit_and_unknown_ids_are_400(api, tree):
    assert (
        "unit"
        in api.post(
            "/api/v1/proposals/", {"title": "Bra titel här"}, format="json"
        ).json()
    )
    resp = api.post(
        "/api/v1/proposals/", {"title": "Bra titel här", "unit": 999999}, format="json"
    )
    assert resp.status_code == 400
    assert "unit" in resp.json()


def test_propose_outside_own_units_is_403(api, tree):
    resp = api.post(
        "/api/v1/proposals/",
        {"title": "Bra titel här", "unit": tree["branch2"].pk},
        format="json",
    )
    assert resp.status_code == 403
    assert "units you belong to" in resp.json()["detail"]
    assert Proposal.objects.count() == 0


def test_anonymous_cannot_read_or_write(anon_client, make_proposal):
    p = make_proposal()
    assert anon_client.get("/api/v1/proposals/").status_code == 401
    assert anon_client.get(f"/api/v1/proposals/{p.pk}/").status_code == 401
    assert anon_client.post(f"/api/v1/proposals/{p.pk}/support/").status_code == 401


def test_support_then_take_back(api_for, make_proposal, other_member):
    p = make_proposal()
    client = client_for(other_member)
    resp = client.post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == 201
    assert set(resp.json()) >= {"support_count", "support_needed"}
    assert resp.json()["support_count"] == 1
    resp = client.delete(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == 200
    assert resp.json()["support_count"] == 0
    assert not Support.objects.exists()


def test_supporting_twice_is_409_and_changes_nothing(
    make_proposal, other_member, supporters
):
    p = make_proposal()
    supporters(30)  # a larger unit: one support does not reach the quorum
    client = client_for(other_member)
    client.post(f"/api/v1/proposals/{p.pk}/support/")
    resp = client.post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == 409
    assert resp.json()["code"] == "already_supported"
    p.refresh_from_db()
    assert p.support_count == 1 == Support.objects.count()


def test_supporting_own_draft_is_409(api, make_proposal):
    p = make_proposal(publish=False)
    resp = api.post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == 409
    assert "draft" in resp.json()["detail"]
    assert not Support.objects.exists()


def test_others_drafts_are_invisible(make_proposal, other_member):
    p = make_proposal(publish=False)
    client = client_for(other_member)
    assert client.get(f"/api/v1/proposals/{p.pk}/").status_code == 404
    assert client.post(f"/api/v1/proposals/{p.pk}/support/").status_code == 404
    assert client.get("/api/v1/proposals/").json()["count"] == 0


def test_supporting_outside_your_units_is_403(make_proposal):
    p = make_proposal()
    elsewhere = MemberFactory(units=[make_tree()["branch"]])  # another municipality
    resp = client_for(elsewhere).post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == 403
    assert "Only members of" in resp.json()["detail"]
    assert not Support.objects.exists()


def test_member_of_unit_below_may_support_higher_unit(make_proposal, tree, member):
    p = make_proposal(unit=tree["district"])
    deep = MemberFactory(units=[tree["branch2"]])
    assert (
        client_for(deep).post(f"/api/v1/proposals/{p.pk}/support/").status_code == 201
    )


def test_reaching_quorum_moves_to_discussion_and_pushes_events(
    make_proposal, supporters
):
    p = make_proposal()  # 1 author + 19 others = 20 eligible → 10% = 2 needed
    people = supporters(19)
    p.refresh_from_db()
    assert p.support_needed == 1  # frozen at publishing time (1 eligible → 1)
    resp = client_for(people[0]).post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.json()["state"] == "discussion"
    types = list(
        ThreadEvent.objects.filter(thread_id=p.thread_id).values_list("type", flat=True)
    )
    assert types == [
        "proposal.state_changed",
        "proposal.state_changed",
        "proposal.support_changed",
    ]


def test_quorum_is_share_of_eligible_members_frozen_at_publish(api, tree, supporters):
    supporters(29, unit=tree["branch"])
    supporters(10, unit=tree["branch2"])  # not below the branch: not eligible
    resp = api.post(
        "/api/v1/proposals/",
        {"title": "Bra titel här", "publish": True, "unit": tree["branch"].pk},
        format="json",
    )
    assert resp.json()["eligible_count"] == 30
    assert resp.json()["support_needed"] == 3
    supporters(50)
    assert (
        api.get(f"/api/v1/proposals/{resp.json()['id']}/").json()["support_needed"] == 3
    )


def test_edit_makes_revision_and_diff(api, make_proposal):
    p = make_proposal(body="Vi vill bygga fler cykelbanor i hela staden.")
    resp = api.patch(
        f"/api/v1/proposals/{p.pk}/",
        {"body": "Vi vill bygga breda cykelbanor i hela staden.", "note": "bredare"},
        format="json",
    )
    assert resp.status_code == 200
    assert resp.json()["revision"] == 2
    revs = api.get(f"/api/v1/proposals/{p.pk}/revisions/").json()["results"]
    assert [r["number"] for r in revs] == [1, 2]
    diff = api.get(f"/api/v1/proposals/{p.pk}/revisions/diff/?from=1&to=2").json()
    assert ["delete", "fler"] in diff["body"]
    assert ["insert", "breda"] in diff["body"]
    assert (
        api.get(f"/api/v1/proposals/{p.pk}/revisions/diff/?from=1&to=9").status_code
        == 400
    )


def test_editing_frozen_proposal_is_409(api, make_proposal):
    p = make_proposal()
    Proposal.objects.filter(pk=p.pk).update(state=State.FROZEN)
    resp = api.patch(
        f"/api/v1/proposals/{p.pk}/", {"title": "Ny titel här"}, format="json"
    )
    assert resp.status_code == 409
    assert "frozen" in resp.json()["detail"]
    p.refresh_from_db()
    assert p.title == "Fler cykelbanor i staden"
    assert p.revision == 1


def test_only_authors_edit(make_proposal, other_member):
    p = make_proposal()
    resp = client_for(other_member).patch(
        f"/api/v1/proposals/{p.pk}/", {"title": "Kapad titel"}, format="json"
    )
    assert resp.status_code == 403


def test_coauthor_invited_then_accepts_and_may_edit(api, tree, other_member):
    resp = api.post(
        "/api/v1/proposals/",
        {
            "title": "Tillsammans är vi starka",
            "unit": tree["branch"].pk,
            "coauthors": [other_member.pk],
        },
        format="json",
    )
    pid = resp.json()["id"]
    assert resp.json()["coauthors"] == [
        {
            "id": other_member.pk,
            "username": other_member.username,
            "name": other_member.display_name,
            "accepted": False,
        }
    ]
    assert len(resp.json()["authors"]) == 1
    co = client_for(other_member)
    assert (
        co.patch(
            f"/api/v1/proposals/{pid}/", {"title": "Inte än"}, format="json"
        ).status_code
        == 403
    )
    assert co.post(f"/api/v1/proposals/{pid}/coauthorship/").status_code == 200
    assert co.post(f"/api/v1/proposals/{pid}/coauthorship/").status_code == 409
    assert (
        co.patch(
            f"/api/v1/proposals/{pid}/", {"title": "Nu får jag ändra"}, format="json"
        ).status_code
        == 200
    )


def test_coauthor_must_be_member_of_unit(api, tree, outsider):
    resp = api.post(
        "/api/v1/proposals/",
        {
            "title": "Tillsammans är vi starka",
            "unit": tree["branch"].pk,
            "coauthors": [outsider.pk],
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "coauthors" in resp.json()


def test_publish_endpoint_and_publish_twice(api, make_proposal, other_member):
    p = make_proposal(publish=False)
    assert (
        api.post(f"/api/v1/proposals/{p.pk}/publish/").json()["state"]
        == "gathering_support"
    )
    assert api.post(f"/api/v1/proposals/{p.pk}/publish/").status_code == 409


def test_withdraw(api, make_proposal, other_member):
    p = make_proposal()
    assert (
        client_for(other_member).post(f"/api/v1/proposals/{p.pk}/withdraw/").status_code
        == 403
    )
    assert (
        api.post(f"/api/v1/proposals/{p.pk}/withdraw/").json()["state"] == "withdrawn"
    )
    assert (
        client_for(other_member).post(f"/api/v1/proposals/{p.pk}/support/").status_code
        == 409
    )


def test_amendment_flow_accept_makes_revision(api, make_proposal, other_member):
    p = make_proposal(body="Vi vill ha fler cykelbanor.")
    other = client_for(other_member)
    resp = other.post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {
            "original": "fler cykelbanor",
            "replacement": "breda, säkra cykelbanor",
            "rationale": "Säkerhet.",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    amendment = resp.json()
    assert amendment["state"] == "open"
    assert amendment["thread"]
    assert Thread.objects.get(pk=amendment["thread"]).kind == "amendment"
    url = f"/api/v1/proposals/{p.pk}/amendments/{amendment['id']}"
    assert api.post(f"{url}/support/").status_code == 201
    assert api.post(f"{url}/support/").status_code == 409
    assert other.post(f"{url}/accept/").status_code == 403
    resp = api.post(f"{url}/accept/")
    assert resp.status_code == 200
    assert resp.json()["body"] == "Vi vill ha breda, säkra cykelbanor."
    assert resp.json()["revision"] == 2
    listed = api.get(f"/api/v1/proposals/{p.pk}/amendments/").json()["results"]
    assert listed[0]["state"] == "accepted"
    assert api.post(f"{url}/accept/").status_code == 409


def test_amendment_passage_must_be_in_text(api, make_proposal):
    p = make_proposal()
    resp = api.post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {"original": "finns inte", "replacement": "x"},
        format="json",
    )
    assert resp.status_code == 400
    assert "original" in resp.json()


def test_amendment_to_clause(api, make_proposal):
    p = make_proposal(clauses=["att partiet verkar för cykelbanor"])
    resp = api.post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {
            "target": "clause",
            "clause": 1,
            "original": "verkar för",
            "replacement": "bygger",
        },
        format="json",
    )
    assert resp.status_code == 201
    api.post(f"/api/v1/proposals/{p.pk}/amendments/{resp.json()['id']}/accept/")
    assert api.get(f"/api/v1/proposals/{p.pk}/").json()["clauses"] == [
        "att partiet bygger cykelbanor"
    ]


def test_alternative_joins_original_in_discussion(api, make_proposal, other_member):
    original = make_proposal()
    client_for(other_member).post(f"/api/v1/proposals/{original.pk}/support/")
    original.refresh_from_db()
    assert original.state == State.DISCUSSION
    resp = client_for(other_member).post(
        "/api/v1/proposals/",
        {
            "title": "Hellre bättre bussar",
            "alternative_to": original.pk,
            "publish": True,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    alt = resp.json()
    assert alt["state"] == "discussion"
    assert alt["alternative_to"] == original.pk
    assert alt["unit"] == original.unit_id
    assert (
        alt["phase_ends"]
        == api.get(f"/api/v1/proposals/{original.pk}/").json()["phase_ends"]
    )
    detail = api.get(f"/api/v1/proposals/{original.pk}/").json()
    assert [a["id"] for a in detail["alternatives"]] == [alt["id"]]


def test_alternative_only_while_in_discussion(api, make_proposal):
    original = make_proposal()  # gathering support
    resp = api.post(
        "/api/v1/proposals/",
        {"title": "Hellre bättre bussar", "alternative_to": original.pk},
        format="json",
    )
    assert resp.status_code == 409


def test_list_filters_and_ordering(
    api, make_proposal, tree, topic, member, other_member, supporters
):
    a = make_proposal(title="Första förslaget", topics=[topic])
    b = make_proposal(title="Andra förslaget")
    c = make_proposal(title="Distriktets förslag", unit=tree["district"])
    supporters(40)
    for m in supporters(2):
        client_for(m).post(f"/api/v1/proposals/{b.pk}/support/")

    def ids(q):
        return [r["id"] for r in api.get(f"/api/v1/proposals/{q}").json()["results"]]

    assert ids("") == [c.pk, b.pk, a.pk]
    assert ids(f"?topic={topic.pk}") == [a.pk]
    assert ids(f"?unit={tree['district'].pk}") == [c.pk]
    assert ids("?ordering=most_supported")[0] == b.pk
    assert ids(f"?author={member.pk}") == [c.pk, b.pk, a.pk]
    assert ids(f"?author={other_member.pk}") == []
    b.refresh_from_db()
    assert b.state == State.DISCUSSION  # two supports reached its threshold
    assert ids("?state=discussion") == [b.pk]
    assert ids("?state=gathering_support") == [c.pk, a.pk]
    assert ids("?followed=1") == [c.pk, b.pk, a.pk]  # authors follow their proposals
    watcher = client_for(other_member)
    watcher.post(
        "/api/v1/follows/",
        {"target_kind": "proposal", "target_id": a.pk},
        format="json",
    )
    assert [
        r["id"] for r in watcher.get("/api/v1/proposals/?followed=1").json()["results"]
    ] == [a.pk]
    move_past_deadline(a)
    assert ids("?ordering=closing_soon")[0] == a.pk


@pytest.mark.parametrize(
    "query", ["?state=bogus", "?ordering=random", "?unit=abc", "?topic=1;drop"]
)
def test_bad_list_parameters_are_400(api, query):
    resp = api.get(f"/api/v1/proposals/{query}")
    assert resp.status_code == 400


def test_list_is_paginated_with_fixed_query_count(
    api, make_proposal, topic, supporters, django_assert_num_queries
):
    for i in range(30):
        make_proposal(
            title=f"Förslag nummer {i}",
            topics=[topic],
            coauthors=supporters(1) if i % 3 == 0 else None,
        )
    # token, own drafts, count, page, topics, authors — whatever the page size
    with django_assert_num_queries(6) as small:
        resp = api.get("/api/v1/proposals/?page_size=5")
    assert set(resp.json()) == {"count", "next", "previous", "results"}
    assert len(resp.json()["results"]) == 5
    assert resp.json()["count"] == 30
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/v1/proposals/?page_size=25").json()["results"]) == 25


def test_list_rows_are_what_drf_would_write(
    api, make_proposal, topic, supporters, member, other_member
):
    """The list builds each row in one step (ProposalSerializer.to_representation);
    it must answer exactly what DRF's field-by-field path answers, for a draft, a
    proposal with topics and an invited and an accepted co-author, one in
    discussion that the viewer supports and follows, and one being voted on."""
    from rest_framework import serializers

    from proposals import selectors
    from proposals import services as proposal_services
    from proposals.api.serializers import ProposalSerializer

    invited, accepted = supporters(2)
    make_proposal(publish=False, title="Ett utkast")
    shared = make_proposal(
        title="Med medförfattare", topics=[topic], coauthors=[invited, accepted]
    )
    proposal_services.accept_coauthorship(proposal=shared, member=accepted)
    supported = make_proposal(author=other_member, title="Stöds av mig")
    proposal_services.support_proposal(proposal=supported, member=member)
    api.post("/api/v1/follows/", {"target_kind": "proposal", "target_id": supported.pk})
    Proposal.objects.filter(pk=supported.pk).update(state=State.VOTING)
    rows = selectors.attach_people(selectors.list_proposals(viewer=member))
    assert len(rows) == 3
    for row in rows:
        drf = serializers.ModelSerializer.to_representation(ProposalSerializer(), row)
        assert ProposalSerializer(row).data == drf, row.title
    listed = {r["id"]: r for r in api.get("/api/v1/proposals/").json()["results"]}
    assert listed[supported.pk]["viewer_supports"] is True
    assert listed[supported.pk]["viewer_follows"] is True
    assert listed[supported.pk]["voting_ends"] is not None
    assert [a["accepted"] for a in listed[shared.pk]["coauthors"]] == [False, True]
    assert listed[shared.pk]["topics"] == [topic.pk]


def test_similar_proposals(api, make_proposal):
    make_proposal(title="Fler cykelbanor i Stockholm", clauses=[])
    make_proposal(title="Sänkt skatt för pensionärer", clauses=[], body="")
    found = api.get("/api/v1/proposals/similar/?q=cykelbanor").json()
    assert [f["title"] for f in found] == ["Fler cykelbanor i Stockholm"]
    assert api.get("/api/v1/proposals/similar/?q=").json() == []


def test_follows_api(api, make_proposal, tree, other_member):
    p = make_proposal(author=other_member)
    resp = api.post(
        "/api/v1/follows/",
        {"target_kind": "proposal", "target_id": p.pk},
        format="json",
    )
    assert resp.status_code == 201
    again = api.post(
        "/api/v1/follows/",
        {"target_kind": "proposal", "target_id": p.pk},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == resp.json()["id"]
    assert (
        api.post(
            "/api/v1/follows/",
            {"target_kind": "unit", "target_id": tree["branch"].pk},
            format="json",
        ).status_code
        == 201
    )
    listed = api.get("/api/v1/follows/").json()
    assert listed["count"] == 2
    assert (
        api.post(
            "/api/v1/follows/", {"target_kind": "planet", "target_id": 1}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(
            "/api/v1/follows/",
            {"target_kind": "proposal", "target_id": 99999},
            format="json",
        ).status_code
        == 400
    )
    assert (
        api.delete(
            f"/api/v1/follows/?target_kind=proposal&target_id={p.pk}"
        ).status_code
        == 204
    )
    assert (
        api.delete(
            f"/api/v1/follows/?target_kind=proposal&target_id={p.pk}"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/follows/").json()["count"] == 1


def test_policy_inherits_and_admin_edit_is_audited(api_for, tree, admin_member, member):
    resp = api_for(member).get(f"/api/v1/units/{tree['branch'].pk}/policy/")
    assert resp.json()["is_default"]
    assert resp.json()["inherited"]
    assert (
        api_for(member)
        .patch(
            f"/api/v1/units/{tree['district'].pk}/policy/",
            {"discussion_days": 3},
            format="json",
        )
        .status_code
        == 403
    )
    resp = api_for(admin_member).patch(
        f"/api/v1/units/{tree['district'].pk}/policy/",
        {
            "discussion_days": 21,
            "admission_quorum": "0.25",
            "reason": "Beslut på stämman",
        },
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    inherited = api_for(member).get(f"/api/v1/units/{tree['branch'].pk}/policy/").json()
    assert inherited["discussion_days"] == 21
    assert inherited["inherited"]
    entry = AuditEntry.objects.get(action="policy.updated")
    assert entry.reason == "Beslut på stämman"
    assert entry.data["changed"]["discussion_days"] == ["14", "21"]
    bad = api_for(admin_member).patch(
        f"/api/v1/units/{tree['district'].pk}/policy/",
        {"admission_quorum": "2"},
        format="json",
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("role", "state", "status"),
    [
        ("member", "gathering_support", 201),
        ("member", "discussion", 201),
        ("member", "frozen", 409),
        ("member", "voting", 409),
        ("member", "expired", 409),
        ("sibling", "gathering_support", 201),  # "we want this here as well"
        ("sibling", "discussion", 201),
        ("outsider", "gathering_support", 403),
        ("outsider", "discussion", 403),
        ("facilitator_elsewhere", "gathering_support", 403),
    ],
)
def test_support_permission_by_role_and_state(
    make_proposal, tree, supporters, role, state, status
):
    p = make_proposal()
    Proposal.objects.filter(pk=p.pk).update(state=state)
    elsewhere = make_tree()["branch"]  # another municipality
    home = {"member": tree["branch"], "sibling": tree["branch2"]}
    actor = MemberFactory(units=[home.get(role, elsewhere)])
    if role == "facilitator_elsewhere":
        give_role(actor, elsewhere, "facilitator")
    resp = client_for(actor).post(f"/api/v1/proposals/{p.pk}/support/")
    assert resp.status_code == status, resp.json()
    assert Support.objects.count() == (1 if status == 201 else 0)


def test_no_state_change_twice(api, make_proposal):
    p = make_proposal()
    assert StateChange.objects.filter(proposal=p).count() == 1


def test_amendment_without_passage_rewrites_whole_clause(
    api, make_proposal, other_member
):
    p = make_proposal(clauses=["att partiet verkar för cykelbanor", "att det går fort"])
    resp = client_for(other_member).post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {"target": "clause", "clause": 2, "replacement": "att det sker före 2030"},
        format="json",
    )
    assert resp.status_code == 201
    assert resp.json()["original"] == "att det går fort"
    bad = client_for(other_member).post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {"target": "clause", "clause": 5, "replacement": "x"},
        format="json",
    )
    assert bad.status_code == 400
    assert "clause" in bad.json()


def test_openapi_schema_lists_proposal_endpoints(api):
    resp = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    paths = (
        resp.json()["paths"]
        if resp["Content-Type"].startswith("application/json")
        else resp.content.decode()
    )
    for path in [
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/support/",
        "/api/v1/proposals/{id}/revisions/diff/",
        "/api/v1/follows/",
    ]:
        assert path in paths


def test_creating_is_throttled_reading_is_not(api, tree):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "write": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            api.post(
                "/api/v1/proposals/",
                {"title": f"Förslag nummer {i}", "unit": tree["branch"].pk},
                format="json",
            ).status_code
            for i in range(4)
        ]
        assert codes == [201, 201, 201, 429]
        assert (
            "detail"
            in api.post(
                "/api/v1/proposals/",
                {"title": "Ett till förslag", "unit": tree["branch"].pk},
                format="json",
            ).json()
        )
        assert all(api.get("/api/v1/proposals/").status_code == 200 for _ in range(5))
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_unit_filter_with_subunits(api, make_proposal, tree):
    branch = make_proposal(title="I avdelningen")
    district = make_proposal(title="I distriktet", unit=tree["district"])
    make_proposal(title="Nationellt", unit=tree["national"])

    def ids(q):
        return {r["id"] for r in api.get(f"/api/v1/proposals/{q}").json()["results"]}

    assert ids(f"?unit={tree['district'].pk}") == {district.pk}
    assert ids(f"?unit={tree['district'].pk}&subunits=1") == {district.pk, branch.pk}


def test_follow_accepts_kind_alias(api, make_proposal, other_member):
    p = make_proposal(author=other_member)
    resp = api.post(
        "/api/v1/follows/", {"kind": "proposal", "object_id": p.pk}, format="json"
    )
    assert resp.status_code == 201
    assert resp.json()["target_kind"] == "proposal"
    assert api.post("/api/v1/follows/", {}, format="json").status_code == 400
