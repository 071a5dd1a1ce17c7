from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.voting.conftest import answers_for, past_close
from voting import sealing, services
from voting.models import Participation, PendingBallot, Poll


def test_poll_detail_lists_questions_turnout_and_has_voted(api, proposal_poll, member):
    poll = proposal_poll()
    body = api.get(f"/api/v1/polls/{poll.pk}/").json()
    assert body["state"] == "open"
    assert body["eligible"] == 2
    assert body["has_voted"] is False
    assert body["can_vote"] is True
    assert body["secret"] is True
    assert body["method"] == "yes_no_abstain"
    assert [q["kind"] for q in body["questions"]] == ["yes_no_abstain"] * 2
    assert body["proposals"] == [poll.proposal_id]
    api.post(f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json")
    body = api.get(f"/api/v1/polls/{poll.pk}/").json()
    assert body["has_voted"] is True
    assert body["participations"] == 1
    assert body["turnout"] == 0.5


def test_cast_returns_the_receipt_once_and_not_cached(api, proposal_poll):
    poll = proposal_poll()
    response = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    receipt = response.json()["receipt"]
    assert len(receipt) == 32
    again = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"
    replaced = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/",
        {**answers_for(poll, "no"), "receipt": receipt},
        format="json",
    )
    assert replaced.status_code == 201
    assert replaced.json() == {"receipt": receipt, "replaced": True, "poll": poll.pk}


def test_short_form_for_single_question_polls(api, advisory):
    poll = advisory(method="schulze", options=["Tisdag", "Onsdag"])
    ids = [
        o["id"]
        for o in api.get(f"/api/v1/polls/{poll.pk}/").json()["questions"][0]["options"]
    ]
    response = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/", {"ranking": ids[::-1]}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status", "key"),
    [
        ({"answers": [{"question": 0, "choice": "yes"}]}, 400, "answers"),
        ({"choice": "kanske"}, 400, "answers"),
        ({"ranking": [1, 1]}, 400, "answers"),
        ([1, 2], 400, "detail"),  # not an object: refused by the API parser
    ],
)
def test_bad_ballots_are_clear_4xx_and_change_nothing(
    api, advisory, payload, status, key
):
    poll = advisory()
    response = api.post(f"/api/v1/polls/{poll.pk}/ballots/", payload, format="json")
    assert response.status_code == status
    assert key in response.json()
    assert not Participation.objects.exists()


def test_a_wrong_receipt_says_nothing_about_other_ballots(api, proposal_poll):
    poll = proposal_poll()
    api.post(f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json")
    response = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/",
        {**answers_for(poll), "receipt": "a" * 32},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This receipt does not match a ballot in this poll.",
        "code": "wrong_receipt",
    }


def test_outsiders_closed_polls_and_unknown_polls(
    api_for, outsider, proposal_poll, api
):
    poll = proposal_poll()
    refused = api_for(outsider).post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    assert refused.status_code == 403
    assert "voter roll" in refused.json()["detail"]
    assert (
        api.post("/api/v1/polls/999999/ballots/", {}, format="json").status_code == 404
    )
    assert api.get("/api/v1/polls/999999/").status_code == 404
    past_close(poll)
    late = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    assert late.status_code == 409
    assert late.json()["code"] == "poll_closed"


def test_result_is_409_while_open_then_counting_then_the_result(
    api, proposal_poll, member
):
    poll = proposal_poll()
    api.post(f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json")
    open_ = api.get(f"/api/v1/polls/{poll.pk}/result/")
    assert open_.status_code == 409
    assert open_.json()["code"] == "poll_open"
    assert api.get(f"/api/v1/polls/{poll.pk}/bulletin/").status_code == 409
    past_close(poll)
    counting = api.get(f"/api/v1/polls/{poll.pk}/result/")
    assert counting.json()["code"] == "counting"
    assert api.get(f"/api/v1/polls/{poll.pk}/").json()["state"] == "counting"
    services.close_poll(poll=poll)
    result = api.get(f"/api/v1/polls/{poll.pk}/result/").json()
    assert result["state"] == "closed"
    assert result["ballots"] == result["participations"] == 1
    assert result["consistent"] is True
    assert result["questions"][0] == {
        "question": poll.questions.order_by("position")[0].pk,
        "kind": "yes_no_abstain",
        "counts": {"yes": 1, "no": 0, "abstain": 0},
        "outcome": "adopted",
    }
    assert result["outcomes"] == {str(poll.proposal_id): "adopted"}


def test_bulletin_lists_every_ballot_with_its_receipt_hash(
    api, proposal_poll, voters, django_assert_num_queries
):
    poll = proposal_poll()
    people = voters(12)
    from voting.models import VoterRoll

    VoterRoll.objects.bulk_create([VoterRoll(poll=poll, member=p) for p in people])
    receipts = [
        services.cast_ballot(poll=poll, member=p, payload=answers_for(poll)).receipt
        for p in people
    ]
    services.close_poll(poll=past_close(poll))
    with django_assert_num_queries(8) as small:
        page = api.get(f"/api/v1/polls/{poll.pk}/bulletin/?page_size=3").json()
    assert page["count"] == 12
    with django_assert_num_queries(len(small.captured_queries)):
        full = api.get(f"/api/v1/polls/{poll.pk}/bulletin/?page_size=100").json()
    hashes = {row["receipt_hash"] for row in full["results"]}
    assert hashes == {sealing.receipt_hash(r) for r in receipts}
    q1 = poll.questions.order_by("position")[0].pk
    assert full["results"][0]["answers"][0] == {"question": q1, "choice": "yes"}
    assert "voter" not in full["results"][0]


def test_open_poll_bulletin_names_voters_while_voting(api, advisory, member):
    poll = advisory(ballot="open")
    api.post(f"/api/v1/polls/{poll.pk}/ballots/", {"choice": "no"}, format="json")
    body = api.get(f"/api/v1/polls/{poll.pk}/bulletin/").json()
    assert body["provisional"] is True
    assert body["results"][0]["voter"]["username"] == member.username
    assert body["results"][0]["answers"][0]["choice"] == "no"


def test_poll_list_filters_and_query_count(
    api, proposal_poll, advisory, django_assert_num_queries
):
    poll = proposal_poll()
    advisory()
    advisory(method="schulze", options=["A-dag", "B-dag"])
    with django_assert_num_queries(7) as few:
        body = api.get("/api/v1/polls/?page_size=1").json()
    assert body["count"] == 3
    with django_assert_num_queries(len(few.captured_queries)):
        body = api.get("/api/v1/polls/").json()
    assert len(body["results"]) == 3
    assert api.get(f"/api/v1/polls/?proposal={poll.proposal_id}").json()["count"] == 1
    assert api.get("/api/v1/polls/?kind=advisory").json()["count"] == 2
    assert api.get("/api/v1/polls/?state=closed").json()["count"] == 0
    assert api.get("/api/v1/polls/?state=nej").status_code == 400
    assert api.get("/api/v1/polls/?unit=x").status_code == 400


def test_create_advisory_poll(api, tree, settings):
    settings.POLL_MIN_DURATION = 3600
    closes = (timezone.now() + timedelta(hours=2)).isoformat()
    response = api.post(
        "/api/v1/polls/",
        {
            "unit": tree["branch"].pk,
            "question": "Vilken dag passar för mötet?",
            "method": "schulze",
            "options": ["Tisdag", "Onsdag", "Torsdag"],
            "ballot": "open",
            "closes": closes,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["advisory"] is True
    assert body["method"] == "schulze"
    assert [o["text"] for o in body["questions"][0]["options"]] == [
        "Tisdag",
        "Onsdag",
        "Torsdag",
    ]
    too_short = api.post(
        "/api/v1/polls/",
        {
            "unit": tree["branch"].pk,
            "question": "Vilken dag passar för mötet?",
            "method": "yes_no_abstain",
            "closes": (timezone.now() + timedelta(minutes=5)).isoformat(),
        },
        format="json",
    )
    assert too_short.status_code == 400
    assert "closes" in too_short.json()
    assert api.post("/api/v1/polls/", {"unit": 0}, format="json").status_code == 400


def test_anonymous_gets_401(anon_client, advisory):
    poll = advisory()
    assert anon_client.get("/api/v1/polls/").status_code in (401, 403)
    assert anon_client.get(f"/api/v1/polls/{poll.pk}/").status_code in (401, 403)


def test_proposal_payload_carries_its_poll(api, proposal_poll):
    poll = proposal_poll()
    body = api.get(f"/api/v1/proposals/{poll.proposal_id}/").json()
    assert body["poll"] == poll.pk
    listed = api.get("/api/v1/proposals/?state=voting").json()["results"][0]
    assert listed["poll"] == poll.pk


def test_no_member_link_in_sealed_rows(proposal_poll, member):
    poll = proposal_poll()
    client_for(member).post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    fields = {f.name for f in PendingBallot._meta.get_fields()}
    assert fields == {"id", "poll", "lookup", "sealed"}
    assert Poll.objects.get(pk=poll.pk).seal_salt
