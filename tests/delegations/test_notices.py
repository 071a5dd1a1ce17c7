"""Delegations notify through the notifications system: the trustee when a
delegation is given, the giver before it expires — once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from delegations import services
from delegations.models import Delegation
from deliberation.members.personal_data import sections
from deliberation.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_trustees_hear_that_they_received_a_vote_once(
    tree, people, delegating_policy, django_capture_on_commit_callbacks
):
    a, b, c = people("a", "b", "c")
    with django_capture_on_commit_callbacks(execute=True):
        services.give_delegation(truster=a, trustees=[b.pk, c.pk], unit=tree["branch"])
    kinds = dict(
        Notification.objects.filter(kind="delegation_received").values_list(
            "recipient_id", "event__data__rank"
        )
    )
    assert kinds == {b.pk: 0, c.pk: 1}
    with django_capture_on_commit_callbacks(execute=True):  # renewal: nothing new
        services.give_delegation(truster=a, trustees=[b.pk, c.pk], unit=tree["branch"])
    assert Notification.objects.filter(kind="delegation_received").count() == 2
    assert not Notification.objects.filter(recipient=a).exists()


def test_the_giver_is_reminded_before_expiry(
    tree, people, delegating_policy, django_capture_on_commit_callbacks
):
    a, b = people("a", "b")
    d, _ = services.give_delegation(truster=a, trustees=[b.pk], unit=tree["branch"])
    Delegation.objects.filter(pk=d.pk).update(
        expires=timezone.now() + timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_expiring() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_expiring() == 0
    reminded = Notification.objects.filter(kind="delegation_expiring")
    assert list(reminded.values_list("recipient_id", flat=True)) == [a.pk]


def test_delegations_are_in_the_personal_data_registry():
    names = {s.name for s in sections()}
    assert {"delegations.given", "delegations.trusted_by"} <= names


def test_erasing_a_member_removes_their_delegations_and_their_place_as_trustee(
    tree, people, delegating_policy
):
    from delegations.models import DelegationTrustee
    from delegations.selectors import applicable
    from deliberation.members.erasure import erase_member

    a, b, c = people("a", "b", "c")
    services.give_delegation(truster=a, trustees=[b.pk, c.pk], unit=tree["branch"])
    services.give_delegation(truster=b, trustees=[c.pk], unit=tree["branch"])
    assert erase_member(member_id=b.pk)
    assert not Delegation.objects.filter(truster=b).exists()
    assert not DelegationTrustee.objects.filter(trustee=b).exists()
    assert applicable(unit=tree["branch"]).lists == {a.pk: [c.pk]}


def test_the_notifications_render_in_the_members_language(
    tree, people, delegating_policy, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from deliberation.notifications.kinds import kind_for
    from deliberation.notifications.models import NotificationEvent

    a, b = people("a", "b")
    d, _ = services.give_delegation(truster=a, trustees=[b.pk], unit=tree["branch"])
    Delegation.objects.filter(pk=d.pk).update(
        expires=timezone.now() + timedelta(days=3)
    )
    services.remind_expiring()
    received = NotificationEvent.objects.get(kind="delegation_received")
    expiring = NotificationEvent.objects.get(kind="delegation_expiring")
    with translation.override("sv"):
        text = kind_for("delegation_received").render(received, b).text
        assert "har delegerat sin röst till dig" in text
        reminder = kind_for("delegation_expiring").render(expiring, a)
        assert "upphör" in reminder.text
        assert reminder.url == "/settings/#delegations"
