"""Ideas climb (docs/flat.md): support from sibling units, the climb rule, its record
(climb row, state change, audit, live event, notification), the spread API and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import ThreadEvent
from deliberation.members.models import UnitKind
from deliberation.members.services import create_unit
from deliberation.notifications.models import NotificationEvent
from proposals import services
from proposals.models import Climb, Policy, Proposal, State, StateChange, Support
from tests.conftest import client_for
from tests.factories import MemberFactory, make_tree


@pytest.fixture
def town(tree):
    """The municipality with three branches of 10 members each; the municipality
    needs members of 3 branches and 10 % of its 31 members (4) to take a proposal."""
    m = tree["municipality"]
    branch3 = create_unit(
        name="Avdelning C", code=f"{m.code}-c", kind=UnitKind.BRANCH, parent=m
    )
    units = [tree["branch"], tree["branch2"], branch3]
    people = {u.pk: [MemberFactory(units=[u]) for _ in range(10)] for u in units}
    Policy.objects.create(unit=m, admission_quorum="0.1", climb_units=3)
    _neighbours(tree)
    return {"units": units, "people": people, "municipality": m}


def _neighbours(tree):
    """A second municipality in the district and a second district in the party, so
    no level above has a single child unit (which would let a proposal carried by
    one unit's members go straight on up)."""
    create_unit(
        name="Tomma kommunen",
        code=f"{tree['district'].code}-tom",
        kind=UnitKind.MUNICIPALITY,
        parent=tree["district"],
    )
    make_tree()


def _support(proposal, member):
    return client_for(member).post(f"/api/v1/proposals/{proposal.pk}/support/")


def _withdraw(proposal, member):
    return client_for(member).delete(f"/api/v1/proposals/{proposal.pk}/support/")


def test_member_of_a_sibling_unit_may_support(make_proposal, town):
    a, b, _c = town["units"]
    p = make_proposal(unit=a)
    resp = _support(p, town["people"][b.pk][0])
    assert resp.status_code == 201, resp.json()
    support = Support.objects.get(proposal=p)
    assert support.unit_id == b.pk  # counted from where the supporter is


def test_member_outside_the_parent_unit_may_not_support(make_proposal, town):
    p = make_proposal(unit=town["units"][0])
    elsewhere = MemberFactory(units=[make_tree()["branch"]])  # another municipality
    resp = _support(p, elsewhere)
    assert resp.status_code == 403
    assert town["municipality"].name in resp.json()["detail"]
    assert not Support.objects.exists()


def test_sibling_members_support_but_do_not_amend(make_proposal, town):
    a, b, _c = town["units"]
    p = make_proposal(unit=a)
    resp = client_for(town["people"][b.pk][0]).post(
        f"/api/v1/proposals/{p.pk}/amendments/",
        {"target": "clause", "clause": 1, "replacement": "att något annat sker"},
        format="json",
    )
    assert resp.status_code == 403


def test_supporters_from_three_branches_and_the_quorum_climb_it(
    make_proposal, town, member
):
    a, b, c = town["units"]
    people = town["people"]
    p = make_proposal(unit=a)
    thread = p.thread_id
    assert _support(p, people[a.pk][0]).status_code == 201
    assert _support(p, people[a.pk][1]).status_code == 201
    p.refresh_from_db()
    assert p.state == State.DISCUSSION  # the branch's own quorum (2 of 11)
    first_end = p.phase_ends
    assert _support(p, people[b.pk][0]).status_code == 201
    p.refresh_from_db()
    assert p.unit_id == a.pk  # two branches: not yet
    resp = _support(p, people[c.pk][0])
    assert resp.status_code == 201
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk
    assert p.eligible_count == 31
    assert p.support_needed == 4
    assert p.support_count == 4
    assert p.state == State.DISCUSSION
    assert p.phase_ends > first_end  # the municipality gets a full discussion
    assert resp.json()["support_needed"] == 4
    climb = Climb.objects.get(proposal=p)
    assert (climb.from_unit_id, climb.to_unit_id, climb.units) == (
        a.pk,
        town["municipality"].pk,
        3,
    )
    # kept: text, thread, supporters
    assert p.thread_id == thread
    assert p.revision == 1
    assert Support.objects.filter(proposal=p).count() == 4
    # recorded: audit, live event, notification to followers (the author)
    entry = AuditEntry.objects.get(action="proposal.climbed")
    assert entry.target_id == str(p.pk)
    assert entry.unit_id == town["municipality"].pk
    event = ThreadEvent.objects.get(thread_id=thread, type="proposal.climbed")
    assert event.data["from"] == a.pk
    assert event.data["to"] == town["municipality"].pk
    note = NotificationEvent.objects.get(kind="proposal_climbed")
    assert note.subject_id == p.pk
    assert ["proposal", p.pk] in note.followers_of
    # the audit log reads it
    audit = client_for(member).get("/api/v1/audit-log/?action=proposal.climbed")
    assert audit.status_code == 200
    assert "climbed from" in str(audit.json())


def test_a_climb_from_gathering_support_admits_it_at_the_parent(make_proposal, town):
    a, b, c = town["units"]
    Policy.objects.create(unit=a, admission_quorum="0.9")  # the branch: 10 of 11
    p = make_proposal(unit=a)
    for unit in (a, b):
        assert _support(p, town["people"][unit.pk][0]).status_code == 201
    assert _support(p, town["people"][a.pk][1]).status_code == 201
    p.refresh_from_db()
    assert p.state == State.GATHERING_SUPPORT
    _support(p, town["people"][c.pk][0])
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk
    assert p.state == State.DISCUSSION
    change = StateChange.objects.get(proposal=p, to_state=State.DISCUSSION)
    assert change.cause == "climbed"
    live = ThreadEvent.objects.filter(thread_id=p.thread_id).values_list(
        "type", flat=True
    )
    assert "proposal.state_changed" in live
    assert "proposal.climbed" in live


def test_without_the_parents_quorum_it_stays(make_proposal, town):
    a, b, c = town["units"]
    Policy.objects.filter(unit=town["municipality"]).update(admission_quorum="0.5")
    p = make_proposal(unit=a)
    for unit in (a, b, c):
        _support(p, town["people"][unit.pk][0])
    p.refresh_from_db()
    assert p.unit_id == a.pk  # 3 of the 16 needed
    assert not Climb.objects.exists()


def test_the_parents_policy_sets_how_many_units(make_proposal, town):
    a, b, _c = town["units"]
    Policy.objects.filter(unit=town["municipality"]).update(climb_units=2)
    p = make_proposal(unit=a)
    for person in town["people"][a.pk][:3] + town["people"][b.pk][:1]:
        _support(p, person)
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk


def test_a_parent_with_fewer_units_than_the_policy_needs_them_all(make_proposal, tree):
    """The default policy asks for 3 units; a municipality of 2 branches needs
    both, not an impossible three."""
    a, b = tree["branch"], tree["branch2"]
    _neighbours(tree)
    p = make_proposal(unit=a)
    MemberFactory(units=[a])  # the town: 2 + the author, needs 1 (10 %)
    _support(p, MemberFactory(units=[a]))
    p.refresh_from_db()
    assert p.unit_id == a.pk  # one branch of two
    _support(p, MemberFactory(units=[b]))
    p.refresh_from_db()
    assert p.unit_id == tree["municipality"].pk


def test_a_withdrawn_support_before_the_climb_stops_it(make_proposal, town):
    a, b, c = town["units"]
    people = town["people"]
    p = make_proposal(unit=a)
    for person in (people[a.pk][0], people[a.pk][1], people[b.pk][0]):
        assert _support(p, person).status_code == 201
    assert _withdraw(p, people[b.pk][0]).status_code == 200
    assert _support(p, people[c.pk][0]).status_code == 201
    p.refresh_from_db()
    assert p.unit_id == a.pk  # branches a and c only
    assert not Climb.objects.exists()
    assert _support(p, people[b.pk][1]).status_code == 201
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk


def test_a_support_after_the_climb_counts_at_the_new_level(make_proposal, town):
    a, b, c = town["units"]
    p = make_proposal(unit=a)
    for unit in (a, a, b, c):
        person = next(
            m
            for m in town["people"][unit.pk]
            if not Support.objects.filter(proposal=p, member=m).exists()
        )
        _support(p, person)
    resp = _support(p, town["people"][b.pk][5])
    assert resp.status_code == 201
    body = resp.json()
    assert body["support_count"] == 5
    assert body["support_needed"] == 4
    assert Climb.objects.filter(proposal=p).count() == 1
    # a withdrawal after the climb does not take it back down
    for person in town["people"][c.pk][:1] + town["people"][b.pk][:1]:
        assert _withdraw(p, person).status_code == 200
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk
    assert p.support_count == 3


def test_it_climbs_again_up_the_tree(make_proposal, town, tree):
    a, b, c = town["units"]
    district = tree["district"]
    other_town = create_unit(
        name="Grannkommunen",
        code=f"{district.code}-g",
        kind=UnitKind.MUNICIPALITY,
        parent=district,
    )
    other_branch = create_unit(
        name="Grannavdelningen",
        code=f"{district.code}-gb",
        kind=UnitKind.BRANCH,
        parent=other_town,
    )
    neighbour = MemberFactory(units=[other_branch])
    Policy.objects.create(unit=district, admission_quorum="0.1", climb_units=2)
    p = make_proposal(unit=a)
    for unit in (a, a, b, c):
        person = next(
            m
            for m in town["people"][unit.pk]
            if not Support.objects.filter(proposal=p, member=m).exists()
        )
        _support(p, person)
    p.refresh_from_db()
    assert p.unit_id == town["municipality"].pk
    assert _support(p, neighbour).status_code == 201  # now the district's reach
    p.refresh_from_db()
    assert p.unit_id == district.pk
    assert p.eligible_count == 32  # the town (31) and the neighbour
    spread = client_for(neighbour).get(f"/api/v1/proposals/{p.pk}/spread/").json()
    assert [c["to"] for c in spread["climbs"]] == [town["municipality"].pk, district.pk]
    assert spread["path"] == [a.pk, town["municipality"].pk, district.pk] + [
        tree["national"].pk
    ]


def test_spread_api_counts_supporters_per_unit(make_proposal, town, member):
    a, b, _c = town["units"]
    p = make_proposal(unit=a)
    for person in town["people"][b.pk][:3] + town["people"][a.pk][:1]:
        _support(p, person)
    resp = client_for(member).get(f"/api/v1/proposals/{p.pk}/spread/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["units"][0] == {"unit": b.pk, "name": b.name, "supporters": 3}
    assert body["units"][1]["supporters"] == 1
    assert body["path"][0] == a.pk
    assert len(body["path"]) == 4
    assert body["climbs"] == []


def test_spread_of_a_draft_is_hidden(make_proposal, other_member):
    p = make_proposal(publish=False)
    resp = client_for(other_member).get(f"/api/v1/proposals/{p.pk}/spread/")
    assert resp.status_code == 404
    assert resp.json()["detail"]


def _web(member, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(member)
    return client


def test_spread_page_shows_chart_table_and_map(make_proposal, town, member):
    a, b, c = town["units"]
    p = make_proposal(unit=a)
    Proposal.objects.filter(pk=p.pk).update(
        published_at=timezone.now() - timedelta(days=3)
    )
    for unit in (a, a, b, c):
        person = next(
            m
            for m in town["people"][unit.pk]
            if not Support.objects.filter(proposal=p, member=m).exists()
        )
        _support(p, person)
    html = _web(member).get(f"/proposals/{p.pk}/spread/").content.decode()
    assert "<svg" in html
    assert "<polyline" in html
    assert "Where the supporters come from" in html
    assert f"<strong>{town['municipality'].name}</strong>" in html  # here now
    assert "Climbs" in html
    assert b.name in html
    sv = _web(member, "sv").get(f"/proposals/{p.pk}/spread/").content.decode()
    assert "Så spreds det" in sv
    detail = _web(member).get(f"/proposals/{p.pk}/").content.decode()
    assert f"/proposals/{p.pk}/spread/" in detail


def test_spread_page_needs_sign_in(client, make_proposal):
    p = make_proposal()
    resp = client.get(f"/proposals/{p.pk}/spread/")
    assert resp.status_code == 302


def test_spread_page_queries_do_not_grow_with_supporters(
    make_proposal, town, member, django_assert_max_num_queries
):
    p = make_proposal(unit=town["units"][0])
    client = _web(member)
    client.get(f"/proposals/{p.pk}/spread/")
    for unit in town["units"]:
        for person in town["people"][unit.pk][:5]:
            services.support_proposal(proposal=p, member=person)
    with django_assert_max_num_queries(20):
        resp = client.get(f"/proposals/{p.pk}/spread/")
    assert resp.status_code == 200
