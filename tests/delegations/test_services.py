"""Giving, replacing, renewing and revoking delegations; the scope rules; the
expiry reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from delegations import services
from delegations.models import Delegation
from delegations.selectors import applicable, own_delegations
from deliberation.errors import NotAllowed, ServiceError
from proposals.models import Topic
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return Topic.objects.create(name="Klimat", slug="klimat-test")


def test_topic_beats_unit_and_the_more_specific_unit_beats_its_parent(
    tree, people, delegating_policy, topic
):
    a, b, c, d = people("a", "b", "c", "d")
    services.give_delegation(truster=a, trustees=[b.pk], unit=tree["municipality"])
    services.give_delegation(truster=a, trustees=[c.pk], unit=tree["branch"])
    services.give_delegation(truster=a, trustees=[d.pk], topic=topic)
    assert applicable(unit=tree["municipality"]).lists == {a.pk: [b.pk]}
    assert applicable(unit=tree["branch"]).lists == {a.pk: [c.pk]}
    assert applicable(unit=tree["branch"], topics=[topic.pk]).lists == {a.pk: [d.pk]}
    assert applicable(unit=tree["branch2"]).lists == {a.pk: [b.pk]}
    assert applicable(unit=tree["district"]).lists == {}


def test_a_second_delegation_for_the_scope_replaces_the_first(
    tree, people, delegating_policy
):
    a, b, c = people("a", "b", "c")
    first, created = services.give_delegation(
        truster=a, trustees=[b.pk], unit=tree["branch"]
    )
    second, created2 = services.give_delegation(
        truster=a, trustees=[c.pk, b.pk], unit=tree["branch"]
    )
    assert created
    assert created2
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert [d.pk for d in own_delegations(member=a)] == [second.pk]
    assert applicable(unit=tree["branch"]).lists == {a.pk: [c.pk, b.pk]}


def test_the_same_list_again_renews_and_keeps_its_place(
    tree, people, delegating_policy
):
    a, b = people("a", "b")
    first, _ = services.give_delegation(truster=a, trustees=[b.pk], unit=tree["branch"])
    Delegation.objects.filter(pk=first.pk).update(
        expires=timezone.now() + timedelta(days=3), reminded_at=timezone.now()
    )
    again, created = services.give_delegation(
        truster=a, trustees=[b.pk], unit=tree["branch"]
    )
    assert not created
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.given == first.given
    assert again.expires > timezone.now() + timedelta(days=364)
    assert again.reminded_at is None


@pytest.mark.parametrize(
    ("trustees", "code"),
    [
        ("none", "no_trustee"),
        ("self", "self_delegation"),
        ("twice", "duplicate_trustee"),
    ],
)
def test_bad_trustee_lists_are_refused(tree, people, delegating_policy, trustees, code):
    a, b = people("a", "b")
    ids = {"none": [], "self": [a.pk], "twice": [b.pk, b.pk]}[trustees]
    with pytest.raises(ServiceError) as err:
        services.give_delegation(truster=a, trustees=ids, unit=tree["branch"])
    assert err.value.code == code


def test_unit_delegations_need_membership_and_a_policy_that_allows_them(
    tree, people, delegating_policy
):
    a, b = people("a", "b")
    with pytest.raises(ServiceError) as err:
        services.give_delegation(truster=a, trustees=[b.pk], unit=tree["district"])
    assert err.value.code == "delegation_not_allowed"
    outsider = MemberFactory(units=[tree["branch2"]])
    with pytest.raises(NotAllowed):
        services.give_delegation(truster=outsider, trustees=[b.pk], unit=tree["branch"])
    with pytest.raises(ServiceError) as err:
        services.give_delegation(truster=a, trustees=[outsider.pk], unit=tree["branch"])
    assert err.value.code == "trustee_not_member"


def test_expiry_can_be_shorter_never_longer_than_the_policy(
    tree, people, delegating_policy
):
    a, b = people("a", "b")
    soon = timezone.now() + timedelta(days=10)
    d, _ = services.give_delegation(
        truster=a, trustees=[b.pk], unit=tree["branch"], expires=soon
    )
    assert d.expires == soon
    with pytest.raises(ServiceError) as err:
        services.give_delegation(
            truster=a,
            trustees=[b.pk],
            unit=tree["branch"],
            expires=timezone.now() + timedelta(days=400),
        )
    assert err.value.code == "too_long"


def test_expiring_delegations_are_reminded_once_before_they_lapse(
    tree, people, delegating_policy
):
    a, b, c = people("a", "b", "c")
    near, _ = services.give_delegation(truster=a, trustees=[b.pk], unit=tree["branch"])
    far, _ = services.give_delegation(truster=c, trustees=[b.pk], unit=tree["branch"])
    Delegation.objects.filter(pk=near.pk).update(
        expires=timezone.now() + timedelta(days=5)
    )
    assert services.remind_expiring() == 1
    assert services.remind_expiring() == 0  # safe twice
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.reminded_at is not None
    assert far.reminded_at is None
    # after its date it is ignored
    Delegation.objects.filter(pk=near.pk).update(
        given=timezone.now() - timedelta(days=2),
        expires=timezone.now() - timedelta(seconds=1),
    )
    assert applicable(unit=tree["branch"]).lists == {c.pk: [b.pk]}
    # a renewal clears the mark, so the next period is reminded again
    services.give_delegation(truster=c, trustees=[b.pk], unit=tree["branch"])
    services.renew_delegation(truster=c, delegation_id=far.pk)
    far.refresh_from_db()
    assert far.reminded_at is None
