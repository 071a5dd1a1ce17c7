"""The rules belong to the members (issue "Flat by design", docs/flat.md): a rule
proposal goes through support, discussion and a vote by the stricter majority; on
adoption a new policy version takes effect for proposals published after it;
administrators' emergency changes name a reason and lapse unless confirmed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from proposals import selectors
from proposals import services as proposal_services
from proposals.models import Policy, Proposal
from tests.factories import MemberFactory
from tests.voting.conftest import answers_for, past_close, to_vote
from voting import services
from voting.models import Poll

pytestmark = pytest.mark.django_db


def _rule_proposal(member, unit, changes, **extra) -> Proposal:
    return proposal_services.create_proposal(
        actor=member,
        title="Lägre antagningskvorum",
        body="Fler idéer ska nå diskussion.",
        unit=unit,
        kind="rules",
        rule_changes=changes,
        publish=True,
        **extra,
    )


def _to_vote(rule: Proposal, people: list, supporter) -> Poll:
    """Voters exist before the poll opens (the roll is frozen then); they support it
    past its quorum, and the schedule walks it into the vote."""
    for m in people:
        rule.refresh_from_db()
        if rule.state != "gathering_support":
            break
        proposal_services.support_proposal(proposal=rule, member=m)
    to_vote(rule, supporter=supporter)
    return Poll.objects.get(proposals=rule)


def _vote(poll: Poll, yes: list, no: list) -> None:
    for m in yes:
        services.cast_ballot(poll=poll, member=m, payload=answers_for(poll, "yes"))
    for m in no:
        services.cast_ballot(poll=poll, member=m, payload=answers_for(poll, "no"))


def test_rule_proposal_over_the_api_has_structured_clauses(api_for, tree, member):
    resp = api_for(member).post(
        "/api/v1/proposals/",
        {
            "title": "Kortare diskussion",
            "unit": tree["branch"].pk,
            "kind": "rules",
            "clauses": [
                {"field": "admission_quorum", "value": "0.05"},
                {"field": "discussion_days", "value": 7},
            ],
            "publish": True,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["kind"] == "rules"
    assert body["rule_changes"] == [
        {"field": "admission_quorum", "value": "0.0500"},
        {"field": "discussion_days", "value": 7},
    ]
    assert "5 %" in body["clauses"][0]
    assert "7" in body["clauses"][1]


@pytest.mark.parametrize(
    ("clauses", "words"),
    [
        ([{"field": "is_default", "value": True}], "not a rule"),
        ([{"field": "admission_quorum", "value": "2"}], "Clause 1"),
        ([{"field": "voting_days", "value": "sju"}], "whole number"),
        ([{"field": "majority", "value": "most"}], "Choose one of"),
        (["att vi ändrar reglerna"], "rule changes"),
        (
            [
                {"field": "voting_days", "value": 5},
                {"field": "voting_days", "value": 6},
            ],
            "twice",
        ),
        ([], "at least one"),
    ],
)
def test_bad_rule_changes_are_refused_clearly(api_for, tree, member, clauses, words):
    resp = api_for(member).post(
        "/api/v1/proposals/",
        {
            "title": "Regler",
            "unit": tree["branch"].pk,
            "kind": "rules",
            "clauses": clauses,
        },
        format="json",
    )
    assert resp.status_code == 400
    assert words in str(resp.json())
    assert not Proposal.objects.filter(title="Regler").exists()


def test_rule_changes_need_the_rules_kind(api_for, tree, member):
    resp = api_for(member).post(
        "/api/v1/proposals/",
        {
            "title": "Regler",
            "unit": tree["branch"].pk,
            "clauses": [{"field": "voting_days", "value": 5}],
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "kind" in str(resp.json())


def test_adopted_by_two_thirds_a_new_version_rules_later_proposals_only(
    tree, member, other_member, voters
):
    branch = tree["branch"]
    running = proposal_services.create_proposal(
        actor=member, title="Redan igång", unit=branch, publish=True
    )
    old = running.policy
    people = voters(9)
    rule = _rule_proposal(member, branch, [{"field": "voting_days", "value": 3}])
    poll = _to_vote(rule, people, other_member)
    assert poll.majority == "two_thirds"
    _vote(poll, yes=people[:7], no=people[7:])  # 7 of 9: more than two-thirds
    services.close_poll(poll=past_close(poll))
    rule.refresh_from_db()
    assert rule.state == "adopted"
    version = selectors.own_policy(branch)
    assert version is not None
    assert (version.source, version.adopted_by_id, version.voting_days) == (
        "rules_vote",
        rule.pk,
        3,
    )
    assert version.changes == {"voting_days": [str(old.voting_days), "3"]}
    running.refresh_from_db()
    assert running.policy_id == old.pk  # a running proposal keeps its rules
    later = proposal_services.create_proposal(
        actor=member, title="Efter beslutet", unit=branch, publish=True
    )
    assert later.policy_id == version.pk
    assert AuditEntry.objects.filter(action="policy.adopted").count() == 1


def test_a_simple_majority_is_not_enough_for_rules(tree, member, other_member, voters):
    branch = tree["branch"]
    people = voters(10)
    rule = _rule_proposal(member, branch, [{"field": "voting_days", "value": 3}])
    poll = _to_vote(rule, people, other_member)
    _vote(poll, yes=people[:6], no=people[6:])  # 60 %: a majority, not two-thirds
    services.close_poll(poll=past_close(poll))
    rule.refresh_from_db()
    assert rule.state == "rejected"
    assert selectors.own_policy(branch) is None


def test_new_rules_wait_for_their_stated_time(tree, member, other_member, voters):
    branch = tree["branch"]
    when = timezone.now() + timedelta(days=30)
    rule = _rule_proposal(
        member,
        branch,
        [{"field": "support_days", "value": 10}],
        rules_effective_from=when,
    )
    people = voters(3)
    poll = _to_vote(rule, people, other_member)
    _vote(poll, yes=people, no=[])
    services.close_poll(poll=past_close(poll))
    assert selectors.own_policy(branch) is None  # not yet in force
    assert (
        selectors.policy_for_unit(branch, when + timedelta(seconds=1)).support_days
        == 10
    )
    versions = list(selectors.policy_versions(branch))
    assert versions[0].effective_from == when


def test_emergency_change_names_its_reason_and_lapses(
    api_for, tree, admin_member, settings
):
    unit = tree["district"]
    url = f"/api/v1/units/{unit.pk}/policy/"
    first = api_for(admin_member).patch(url, {"voting_days": 10}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["source"] == "bootstrap"
    assert first.json()["lapses_at"] is None
    refused = api_for(admin_member).patch(url, {"voting_days": 2}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    emergency = api_for(admin_member).patch(
        url, {"voting_days": 2, "reason": "Valet tidigarelagt"}, format="json"
    )
    assert emergency.status_code == 200
    assert emergency.json()["source"] == "emergency"
    assert emergency.json()["lapses_at"]
    assert selectors.policy_for_unit(unit).voting_days == 2
    later = timezone.now() + timedelta(days=settings.POLICY_EMERGENCY_DAYS, seconds=5)
    assert selectors.policy_for_unit(unit, later).voting_days == 10  # lapsed
    assert proposal_services.record_lapsed_policies(later) == 1
    assert proposal_services.record_lapsed_policies(later) == 0  # once
    lapsed = AuditEntry.objects.get(action="policy.lapsed")
    assert lapsed.data["now_in_force"] == 1
    versions = api_for(admin_member).get(f"/api/v1/units/{unit.pk}/policy/versions/")
    assert versions.status_code == 200
    rows = versions.json()["results"]
    assert [r["version"] for r in rows] == [2, 1]
    assert rows[0]["reason"] == "Valet tidigarelagt"
    assert rows[0]["lapsed_at"]
    assert [r["in_force"] for r in rows] == [False, True]


def test_a_rule_vote_keeping_an_emergency_change_confirms_it(
    tree, member, other_member, admin_member, voters
):
    branch = tree["branch"]
    proposal_services.set_unit_policy(actor=admin_member, unit=branch, voting_days=10)
    emergency = proposal_services.set_unit_policy(
        actor=admin_member, unit=branch, voting_days=2, reason="Extrastämma"
    )
    people = voters(3)
    rule = _rule_proposal(member, branch, [{"field": "support_days", "value": 20}])
    poll = _to_vote(rule, people, other_member)
    _vote(poll, yes=people, no=[])
    services.close_poll(poll=past_close(poll))
    rule.refresh_from_db()
    assert rule.state == "adopted"
    emergency.refresh_from_db()
    assert emergency.confirmed_at is not None
    assert emergency.confirmed_by_id == rule.pk
    far = timezone.now() + timedelta(days=400)
    current = selectors.policy_for_unit(branch, far)
    assert (current.voting_days, current.support_days) == (2, 20)


def test_rules_pages_show_history_and_take_a_rule_proposal(client, tree, admin_member):
    branch = tree["branch"]
    proposal_services.set_unit_policy(actor=admin_member, unit=branch, voting_days=10)
    proposal_services.set_unit_policy(
        actor=admin_member, unit=branch, voting_days=2, reason="Extrastämma"
    )
    client.force_login(admin_member)
    page = client.get(f"/units/{branch.pk}/policy/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Extrastämma" in text
    assert "lapses" in text
    form = client.get(f"/units/{branch.pk}/policy/propose/")
    assert form.status_code == 200
    made = client.post(
        f"/units/{branch.pk}/policy/propose/",
        {
            "title": "Tillbaka till tio dagar",
            "body": "",
            "field_1": "voting_days",
            "value_1": "10",
            "publish": "on",
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    proposal = Proposal.objects.get(title="Tillbaka till tio dagar")
    assert proposal.kind == "rules"
    assert proposal.rule_changes == [{"field": "voting_days", "value": 10}]
    detail = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "rule proposal" in detail
    bad = client.post(
        f"/units/{branch.pk}/policy/propose/",
        {"title": "Fel", "field_1": "voting_days", "value_1": "999"},
    )
    assert bad.status_code == 400
    assert not Proposal.objects.filter(title="Fel").exists()


def test_outsiders_cannot_propose_rules_for_a_unit(client, tree):
    outsider = MemberFactory(units=[tree["branch2"]])
    client.force_login(outsider)
    assert client.get(f"/units/{tree['branch'].pk}/policy/propose/").status_code == 403
    assert Policy.objects.filter(unit=tree["branch"]).count() == 0
    assert Decimal("0.1") > 0
