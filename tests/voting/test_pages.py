"""Poll pages: the ballot works without JavaScript (a plain form through the same
service as the API), the receipt is shown once, refusals are clear, and after the
close the result reads as charts with tables."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from voting import services
from voting.models import Participation, Poll

from .conftest import past_close

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    c = Client()
    c.force_login(member)
    return c


def form_for(poll: Poll, choice: str = "yes", receipt: str | None = None) -> dict:
    data = {}
    for q in poll.questions.prefetch_related("options"):
        if q.kind == "ranked":
            for rank, o in enumerate(q.options.all(), start=1):
                data[f"q{q.pk}_{o.pk}"] = str(rank)
        else:
            data[f"q{q.pk}"] = choice
    if receipt:
        data["receipt"] = receipt
    return data


def test_member_votes_without_javascript_and_sees_the_receipt_once(
    proposal_poll, member
):
    poll = proposal_poll()
    client = signed_in(member)
    page = client.get(f"/polls/{poll.pk}/")
    assert page.status_code == 200
    assert "Cast my ballot" in page.text
    resp = client.post(f"/polls/{poll.pk}/vote/", form_for(poll))
    assert resp.status_code == 200
    assert resp["Cache-Control"] == "no-store"
    receipt = resp.context["receipt"]
    assert receipt in resp.text
    assert Participation.objects.filter(poll=poll, member=member).count() == 1
    again = client.get(f"/polls/{poll.pk}/")
    assert receipt not in again.text
    assert "Replace my ballot" in again.text
    # a second ballot without the receipt is refused and changes nothing
    refused = client.post(f"/polls/{poll.pk}/vote/", form_for(poll, "no"))
    assert refused.status_code == 400
    assert "receipt" in refused.text
    # with the receipt it replaces the ballot
    replaced = client.post(
        f"/polls/{poll.pk}/vote/", form_for(poll, "no", receipt=receipt)
    )
    assert replaced.status_code == 200
    assert replaced.context["replaced"] is True
    assert Participation.objects.filter(poll=poll).count() == 1


def test_missing_answer_is_a_clear_error_and_nothing_is_cast(proposal_poll, member):
    poll = proposal_poll()
    data = form_for(poll)
    data.pop(next(iter(data)))
    resp = signed_in(member).post(f"/polls/{poll.pk}/vote/", data)
    assert resp.status_code == 400
    assert "Answer every question" in resp.text
    assert not Participation.objects.filter(poll=poll).exists()


def test_member_off_the_roll_is_told_why(proposal_poll, outsider):
    poll = proposal_poll()
    page = signed_in(outsider).get(f"/polls/{poll.pk}/")
    assert "not on this poll's voter roll" in page.text
    resp = signed_in(outsider).post(f"/polls/{poll.pk}/vote/", form_for(poll))
    assert resp.status_code == 403
    assert "voter roll" in resp.text
    assert not Participation.objects.filter(poll=poll).exists()


def test_duplicate_ranks_are_refused(advisory, member):
    poll = advisory(method="schulze", options=["Tisdag", "Onsdag", "Torsdag"])
    q = poll.questions.get()
    data = {f"q{q.pk}_{o.pk}": "1" for o in q.options.all()}
    resp = signed_in(member).post(f"/polls/{poll.pk}/vote/", data)
    assert resp.status_code == 400
    assert not Participation.objects.filter(poll=poll).exists()


def test_closed_poll_shows_result_charts_tables_and_recount(
    proposal_poll, member, other_member, voters
):
    extra = voters(1)
    poll = proposal_poll()
    receipts = []
    for voter, choice in [
        (member, "yes"),
        (other_member, "yes"),
        *[(v, "no") for v in extra],
    ]:
        cast = services.cast_ballot(
            poll=poll.pk,
            member=voter,
            payload={
                "answers": [
                    {"question": q.pk, "choice": choice} for q in poll.questions.all()
                ]
            },
        )
        receipts.append(cast.receipt)
    services.close_poll(poll=past_close(poll))
    page = signed_in(member).get(f"/polls/{poll.pk}/")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "Ballots counted" in page.text
    assert "Cast my ballot" not in page.text
    result = page.context["result"]
    first = result["questions"][0]
    counts = {b["key"]: b["count"] for b in first["bars"]}
    assert counts == {"yes": 2, "no": 1, "abstain": 0}
    recount = signed_in(member).get(f"/polls/{poll.pk}/recount/")
    assert recount.status_code == 200
    assert "data-recount" in recount.text
    bulletin = signed_in(member).get(f"/api/v1/polls/{poll.pk}/bulletin/").json()
    hashes = {r["receipt_hash"] for r in bulletin["results"]}
    assert hashlib.sha256(receipts[0].encode()).hexdigest() in hashes


def test_ranked_result_shows_the_order_and_pairwise_table(advisory, member, voters):
    extra = voters(2)
    poll = advisory(method="schulze", options=["Tisdag", "Onsdag"])
    q = poll.questions.get()
    options = list(q.options.order_by("position"))
    for voter in [member, *extra]:
        services.cast_ballot(
            poll=poll.pk,
            member=voter,
            payload={"ranking": [options[1].pk, options[0].pk]},
        )
    services.close_poll(poll=past_close(poll))
    page = signed_in(member).get(f"/polls/{poll.pk}/")
    shown = page.context["result"]["questions"][0]
    assert shown["ranked"]
    assert shown["ranking"][0] == options[1].text
    assert "Pairwise preferences" in page.text


def test_poll_list_page_in_a_fixed_number_of_queries(
    advisory, member, django_assert_max_num_queries
):
    for _ in range(2):
        advisory()
    client = signed_in(member)
    client.get("/polls/")
    for _ in range(8):
        advisory()
    with django_assert_max_num_queries(12) as few:
        page = client.get("/polls/")
    assert page.status_code == 200
    assert page.text.count('class="card"') >= 10
    assert len(few.captured_queries) <= 12


def test_anonymous_visitor_is_sent_to_sign_in_as_the_api_asks(advisory, client):
    """Polls are for members, on the pages as in the API (401 there)."""
    poll = advisory()
    for path in ("/polls/", f"/polls/{poll.pk}/", f"/polls/{poll.pk}/recount/"):
        page = client.get(path)
        assert page.status_code == 302
        assert page["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/polls/{poll.pk}/").status_code == 401


def test_non_ascii_digits_are_a_clear_error_not_a_crash(advisory, member):
    poll = advisory(method="schulze", options=["Tisdag", "Onsdag"])
    q = poll.questions.get()
    api = signed_in(member)
    resp = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/",
        {"answers": [{"question": "²", "ranking": ["²"]}]},
        content_type="application/json",
    )
    assert resp.status_code == 400
    page = api.post(f"/polls/{poll.pk}/vote/", {f"q{q.pk}_{q.options.first().pk}": "²"})
    assert page.status_code == 400
    assert not Participation.objects.filter(poll=poll).exists()
