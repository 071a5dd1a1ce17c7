"""The congress API contract (issue 12): items forwarded by the members' decisions,
the dossier, roll-call votes with their 201/409/403 answers and the bad input list,
decisions pushed live and audited, answers overdue, follow-ups, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from congress import services
from congress.models import AnswerRequest, Congress, CongressItem, DelegateVote, Route
from congress.services.forwarding import forward_proposal
from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import ThreadEvent
from deliberation.discussions.services import post_comment
from proposals import services as proposal_services
from tests.congress.conftest import make_congress
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/congresses/"


def items_url(congress: Congress) -> str:
    return f"{BASE}{congress.pk}/items/"


def vote_url(congress: Congress, item: CongressItem) -> str:
    return f"{BASE}{congress.pk}/items/{item.pk}/delegate-votes/"


@pytest.fixture
def item(congress, tree, member):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Kollektivtrafik för alla",
        body="Motivering.",
        clauses=["att resor blir gratis", "att bussar går oftare"],
        unit=tree["national"],
        publish=True,
    )
    return forward_proposal(
        congress=congress, proposal=proposal, route=Route.SUPPORT, at=timezone.now()
    )


# --- forwarding ---


def test_a_national_proposal_adopted_by_vote_is_forwarded_with_its_result(
    congress, voted_proposal, api
):
    proposal = voted_proposal(yes=3, no=1)
    assert proposal.state == "adopted"
    item = CongressItem.objects.get(congress=congress, proposal=proposal)
    assert item.route == Route.ADOPTED

    resp = api.get(items_url(congress))
    assert resp.status_code == 200
    [row] = resp.json()["results"]
    assert set(row) >= {
        "id",
        "proposal",
        "title",
        "unit",
        "clauses",
        "turnout",
        "responses",
        "decision",
    }
    assert row["proposal"] == proposal.pk
    first = row["clauses"][0]
    assert set(first) >= {"id", "text", "member_result", "delegate_votes", "decision"}
    assert first["member_result"] == {
        "yes": 3,
        "no": 1,
        "abstain": 0,
        "outcome": "adopted",
    }
    assert first["delegate_votes"] == {"yes": 0, "no": 0, "abstain": 0}
    assert row["turnout"] > 0
    assert row["decision"] is None


def test_a_rejected_national_proposal_is_not_forwarded(congress, voted_proposal):
    proposal = voted_proposal(yes=1, no=3)
    assert proposal.state == "rejected"
    assert not CongressItem.objects.filter(proposal=proposal).exists()


def test_nothing_is_forwarded_after_the_items_deadline(admin_member, voted_proposal):
    late = make_congress(
        admin_member,
        window_opens=timezone.now() - timedelta(days=30),
        items_deadline=timezone.now() - timedelta(days=1),
    )
    proposal = voted_proposal()
    assert proposal.state == "adopted"
    assert not CongressItem.objects.filter(congress=late).exists()


def test_a_lower_unit_proposal_arrives_by_support_at_the_national_quorum(
    congress, tree, member
):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Lokal cykelpool i avdelningen",
        clauses=["att avdelningen startar en cykelpool"],
        unit=tree["branch"],
        publish=True,
    )
    needed = services.national_quorum(fresh=True)
    supporters = [MemberFactory(units=[tree["branch"]]) for _ in range(needed + 1)]
    for s in supporters[: needed - 1]:
        proposal_services.support_proposal(proposal=proposal, member=s)
    assert not CongressItem.objects.filter(proposal=proposal).exists()
    # the national quorum counts everyone: recount with the new members
    services.national_quorum(fresh=True)
    needed = services.national_quorum()
    proposal.refresh_from_db()
    for s in supporters[needed - 1 :]:
        if proposal.support_count >= needed:
            break
        proposal_services.support_proposal(proposal=proposal, member=s)
        proposal.refresh_from_db()
    item = CongressItem.objects.get(congress=congress, proposal=proposal)
    assert item.route == Route.SUPPORT
    assert item.clauses.count() == 1


def test_no_board_can_forward_an_item(api_for, admin_member, congress):
    resp = api_for(admin_member).post(items_url(congress), {}, format="json")
    assert resp.status_code == 405


def test_the_sweep_forwards_what_a_hook_missed(congress, tree, member):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Missad motion om nattåg",
        unit=tree["national"],
        publish=True,
    )
    from proposals.models import Proposal

    Proposal.objects.filter(pk=proposal.pk).update(
        state="adopted", closed_at=timezone.now() - timedelta(days=1)
    )
    assert services.forward_missed() == 1
    assert services.forward_missed() == 0
    assert CongressItem.objects.filter(congress=congress, proposal=proposal).exists()


# --- reading ---


def test_congresses_and_delegates_are_listed_for_members(
    api, congress, delegate_member, tree
):
    assert api.get(BASE).json()["results"][0]["name"] == congress.name
    detail = api.get(f"{BASE}{congress.pk}/").json()
    assert detail["state"] == "in_session"
    assert {"name", "starts", "ends", "state"} <= set(detail)
    delegates = api.get(f"{BASE}{congress.pk}/delegates/").json()["results"]
    assert delegates[0]["member"]["id"] == delegate_member.pk
    assert delegates[0]["unit"]["id"] == tree["district"].pk
    assert delegates[0]["votes"] == []


def test_anonymous_readers_are_asked_to_sign_in(anon_client, congress):
    assert anon_client.get(BASE).status_code == 401
    assert anon_client.get(f"{BASE}{congress.pk}/export.csv").status_code == 401


def test_unknown_congresses_and_items_are_404(api, congress, item):
    assert api.get(f"{BASE}999999/").status_code == 404
    assert api.get(f"{items_url(congress)}999999/").status_code == 404
    other = make_congress(
        congress.created_by,
        name="Extrakongress",
    )
    assert api.get(f"{items_url(other)}{item.pk}/").status_code == 404


def test_item_filters_and_ordering(api, congress, item, tree):
    assert (
        api.get(items_url(congress), {"unit": tree["national"].pk}).json()["count"] == 1
    )
    assert (
        api.get(items_url(congress), {"unit": tree["branch"].pk}).json()["count"] == 0
    )
    assert api.get(items_url(congress), {"topic": 999}).json()["count"] == 0
    assert api.get(items_url(congress), {"ordering": "-turnout"}).status_code == 200
    assert api.get(items_url(congress), {"ordering": "sideways"}).status_code == 400
    assert api.get(items_url(congress), {"min_turnout": "x"}).status_code == 400
    assert api.get(items_url(congress), {"min_margin": -101}).status_code == 400


def test_the_dossier_has_the_history_and_the_arguments(
    api, congress, item, member, other_member
):
    proposal = item.proposal
    strong = post_comment(
        thread=proposal.thread, author=member, body="Bra för klimatet", stance="for"
    )
    post_comment(
        thread=proposal.thread, author=other_member, body="För dyrt", stance="against"
    )
    proposal_services.support_proposal(proposal=proposal, member=other_member)
    resp = api.get(f"{items_url(congress)}{item.pk}/")
    assert resp.status_code == 200
    body = resp.json()
    assert [r["number"] for r in body["revisions"]] == [1]
    assert body["support_history"][-1]["total"] == 1
    assert body["arguments"]["for"][0]["id"] == strong.pk
    assert body["arguments"]["for"][0]["url"].endswith(f"#c-{strong.pk}")
    assert "För dyrt" in body["arguments"]["against"][0]["body_html"]
    assert body["amendments"] == []
    prov = api.get(f"{items_url(congress)}{item.pk}/provenance/").json()
    assert prov["proposal"]["id"] == proposal.pk
    assert prov["support_over_time"][-1]["total"] == 1
    assert "email" not in json.dumps(prov)


# --- delegate votes ---


def test_a_delegate_votes_once_per_clause(api_for, congress, item, delegate_member):
    client = api_for(delegate_member)
    clause = item.clauses.first()
    resp = client.post(
        vote_url(congress, item),
        {"clause": clause.pk, "vote": "yes", "explanation": "Distriktet röstade ja."},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["vote"] == "yes"
    again = client.post(
        vote_url(congress, item), {"clause": clause.pk, "vote": "no"}, format="json"
    )
    assert again.status_code == 409
    assert DelegateVote.objects.get().vote == "yes"
    row = client.get(items_url(congress)).json()["results"][0]
    assert row["clauses"][0]["delegate_votes"] == {"yes": 1, "no": 0, "abstain": 0}
    record = client.get(f"{BASE}{congress.pk}/delegates/").json()["results"][0]
    assert record["votes"][0]["explanation"] == "Distriktet röstade ja."
    assert AuditEntry.objects.filter(action="congress.delegate_vote").count() == 1


def test_a_non_delegate_may_not_vote(api, congress, item):
    resp = api.post(
        vote_url(congress, item),
        {"clause": item.clauses.first().pk, "vote": "yes"},
        format="json",
    )
    assert resp.status_code == 403
    assert not DelegateVote.objects.exists()


def test_bad_votes_change_nothing(
    api_for, congress, item, delegate_member, admin_member
):
    client = api_for(delegate_member)
    clause = item.clauses.first()
    other = make_congress(admin_member, name="Extrakongress")
    other_item_url = vote_url(other, item)
    cases = [
        (vote_url(congress, item), {"clause": clause.pk, "vote": "maybe"}, 400),
        (vote_url(congress, item), {"clause": 999999, "vote": "yes"}, 400),
        (vote_url(congress, item), {"vote": "yes"}, 400),
        (vote_url(congress, item), {"clause": "x", "vote": "yes"}, 400),
        (
            vote_url(congress, item),
            {"clause": clause.pk, "vote": "yes", "explanation": ["x"]},
            400,
        ),
    ]
    for url, body, expected in cases:
        assert client.post(url, body, format="json").status_code == expected, body
    # an item of another congress: not one of its items (and not its delegate)
    assert (
        client.post(
            other_item_url, {"clause": clause.pk, "vote": "yes"}, format="json"
        ).status_code
        == 403
    )
    assert not DelegateVote.objects.exists()


def test_an_item_of_another_congress_is_not_found(
    api_for, admin_member, congress, item, tree
):
    other = make_congress(admin_member, name="Extrakongress")
    delegate = MemberFactory(units=[tree["branch"]])
    services.record_delegate(
        actor=admin_member,
        congress=other,
        member=delegate,
        unit=tree["district"],
        chosen="vald av årsmötet",
    )
    resp = api_for(delegate).post(
        vote_url(other, item),
        {"clause": item.clauses.first().pk, "vote": "yes"},
        format="json",
    )
    assert resp.status_code == 404
    assert not DelegateVote.objects.exists()


def test_no_votes_after_the_congress_closes(
    api_for, admin_member, congress, item, delegate_member
):
    services.close_congress(actor=admin_member, congress=congress, reason="slut")
    resp = api_for(delegate_member).post(
        vote_url(congress, item),
        {"clause": item.clauses.first().pk, "vote": "yes"},
        format="json",
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "closed"
    assert not DelegateVote.objects.exists()


# --- admin: congress, delegates, decision ---


def test_admins_create_congresses_and_record_delegates_audited(
    api_for, admin_member, api, tree
):
    today = timezone.localdate()
    body = {
        "name": "Extra kongress",
        "starts": str(today + timedelta(days=5)),
        "ends": str(today + timedelta(days=6)),
        "items_deadline": (timezone.now() + timedelta(days=4)).isoformat(),
    }
    assert api.post(BASE, body, format="json").status_code == 403
    resp = api_for(admin_member).post(BASE, body, format="json")
    assert resp.status_code == 201, resp.content
    cid = resp.json()["id"]
    assert resp.json()["state"] == "preparing"
    bad = api_for(admin_member).post(BASE, {**body, "ends": str(today)}, format="json")
    assert bad.status_code == 400
    assert "ends" in bad.json()
    someone = MemberFactory(units=[tree["branch"]])
    add = {
        "member": someone.pk,
        "unit": tree["district"].pk,
        "chosen": "vald av distriktsårsmötet 2026-10-12",
    }
    assert api.post(f"{BASE}{cid}/delegates/", add, format="json").status_code == 403
    assert (
        api_for(admin_member)
        .post(f"{BASE}{cid}/delegates/", add, format="json")
        .status_code
        == 201
    )
    assert (
        api_for(admin_member)
        .post(f"{BASE}{cid}/delegates/", add, format="json")
        .status_code
        == 409
    )
    outside = api_for(admin_member).post(
        f"{BASE}{cid}/delegates/",
        {**add, "member": MemberFactory(units=[]).pk},
        format="json",
    )
    assert outside.status_code == 400
    assert AuditEntry.objects.filter(action="congress.created").count() == 1
    assert AuditEntry.objects.filter(action="congress.delegate_recorded").count() == 1


def test_the_decision_is_recorded_pushed_and_audited(
    api_for,
    api,
    admin_member,
    congress,
    item,
    delegate_member,
    django_capture_on_commit_callbacks,
):
    clause = item.clauses.first()
    api_for(delegate_member).post(
        vote_url(congress, item), {"clause": clause.pk, "vote": "yes"}, format="json"
    )
    url = f"{items_url(congress)}{item.pk}/decision/"
    assert api.post(url, {"decision": "adopted"}, format="json").status_code == 403
    assert (
        api_for(admin_member).post(url, {"decision": "won"}, format="json").status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = api_for(admin_member).post(
            url, {"decision": "adopted", "note": "Bifall"}, format="json"
        )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["decision"] == "adopted"
    assert body["clauses"][0]["decision"] == "adopted"  # the roll call's majority
    assert body["clauses"][1]["decision"] == "rejected"  # no votes: not adopted
    event = ThreadEvent.objects.get(
        thread=item.proposal.thread, type="congress.decision"
    )
    assert event.data["decision"] == "adopted"
    assert AuditEntry.objects.filter(action="congress.decision").exists()
    assert (
        api_for(admin_member)
        .post(url, {"decision": "rejected"}, format="json")
        .status_code
        == 409
    )
    late = api_for(delegate_member).post(
        vote_url(congress, item),
        {"clause": item.clauses.last().pk, "vote": "no"},
        format="json",
    )
    assert late.status_code == 409


def test_follow_ups_for_adopted_items(
    api_for, api, admin_member, congress, item, member
):
    url = f"{items_url(congress)}{item.pk}/follow-ups/"
    assert (
        api_for(admin_member)
        .post(url, {"status": "in_progress", "text": "Utredning"}, format="json")
        .status_code
        == 409
    )
    services.record_decision(
        actor=admin_member, congress=congress, item=item, decision="adopted"
    )
    assert (
        api_for(MemberFactory(units=[]))
        .post(url, {"status": "in_progress", "text": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(admin_member)
        .post(url, {"status": "later", "text": "x"}, format="json")
        .status_code
        == 400
    )
    resp = api.post(
        url, {"status": "in_progress", "text": "Utredningen har börjat."}, format="json"
    )  # the author
    assert resp.status_code == 201, resp.content
    dossier = api.get(f"{items_url(congress)}{item.pk}/").json()
    assert dossier["followup_status"] == "in_progress"
    assert dossier["follow_ups"][0]["text"] == "Utredningen har börjat."


# --- bodies must answer ---


def test_answers_become_overdue_publicly_once(api_for, api, congress, item, tree):
    requests = AnswerRequest.objects.filter(item=item)
    assert {r.unit_id for r in requests} == {tree["national"].pk}
    requests.update(due=timezone.now() - timedelta(minutes=1))
    assert services.mark_overdue_answers() == 1
    assert services.mark_overdue_answers() == 0
    row = api.get(items_url(congress)).json()["results"][0]
    assert row["answer_overdue"] is True
    assert (
        ThreadEvent.objects.filter(type="congress.answer_overdue").count() == 2
    )  # proposal + item threads


def test_role_holders_answer_per_clause(api_for, api, congress, item, tree):
    board = MemberFactory(units=[tree["branch"]])
    give_role(board, tree["national"], "admin")
    url = f"{items_url(congress)}{item.pk}/responses/"
    clauses = list(item.clauses.all())
    body = {"unit": tree["national"].pk, "clause": clauses[0].pk, "position": "support"}
    assert api.post(url, body, format="json").status_code == 403
    assert (
        api_for(board)
        .post(url, {**body, "position": "amend"}, format="json")
        .status_code
        == 400
    )
    assert api_for(board).post(url, body, format="json").status_code == 201
    assert api_for(board).post(url, body, format="json").status_code == 409
    assert not AnswerRequest.objects.get(item=item).answered_at
    api_for(board).post(
        url,
        {**body, "clause": clauses[1].pk, "position": "reject", "text": "Nej"},
        format="json",
    )
    assert AnswerRequest.objects.get(item=item).answered_at
    row = api.get(items_url(congress)).json()["results"][0]
    assert [r["position"] for r in row["responses"]] == ["support", "reject"]


# --- exports ---


def test_exports_stream_csv_and_json(api, congress, item):
    resp = api.get(f"{BASE}{congress.pk}/export.csv")
    assert resp.status_code == 200
    assert resp.streaming
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))
        )
    )
    assert [r["clause"] for r in rows] == ["1", "2"]
    assert rows[0]["title"] == item.proposal.title
    resp = api.get(f"{BASE}{congress.pk}/export.json")
    assert resp.streaming
    data = json.loads(b"".join(resp.streaming_content))
    assert data["congress"]["id"] == congress.pk
    assert data["items"][0]["clauses"][0]["member_result"]["outcome"] is None


def test_items_are_found_by_the_search(api, anon_client, item):
    resp = api.get("/api/v1/search/", {"q": "Kollektivtrafik", "type": "congress_item"})
    assert resp.status_code == 200
    [hit] = resp.json()["results"]
    assert hit["id"] == item.pk
    assert hit["url"] == item.get_absolute_url()
    assert (
        anon_client.get("/api/v1/search/", {"q": "Kollektivtrafik"}).status_code == 401
    )
