"""The default policy: stored after `migrate`, read without writing, created by the
service when a proposal needs it and none is stored."""

import pytest

from proposals import selectors
from proposals.models import Policy

pytestmark = pytest.mark.django_db


def test_the_default_policy_exists_after_migrate():
    assert Policy.objects.filter(is_default=True, unit=None).count() == 1


def test_reading_policies_never_writes_one(api, tree):
    Policy.objects.all().delete()

    resp = api.get(f"/api/v1/units/{tree['branch'].pk}/policy/")
    listed = api.get("/api/v1/policies/")

    assert resp.status_code == 200
    assert resp.json()["is_default"]
    assert resp.json()["support_days"] == Policy().support_days
    assert listed.status_code == 200
    assert selectors.default_policy().pk is None
    assert not Policy.objects.exists()


def test_publishing_without_a_stored_default_stores_it(make_proposal):
    Policy.objects.all().delete()

    proposal = make_proposal()

    default = Policy.objects.get(is_default=True)
    assert proposal.policy_id == default.pk
