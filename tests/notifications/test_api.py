"""Follows through the API: deleting by id goes through the service."""

import pytest

from deliberation.notifications.models import Follow
from deliberation.notifications.services import follow

pytestmark = pytest.mark.django_db


def test_delete_follow_by_id_removes_only_your_own(api, member, other_member, tree):
    mine, _ = follow(member=member, target_kind="unit", target_id=tree["branch"].pk)
    theirs, _ = follow(
        member=other_member, target_kind="unit", target_id=tree["branch"].pk
    )

    assert api.delete(f"/api/v1/follows/{theirs.pk}/").status_code == 404
    assert Follow.objects.filter(pk=theirs.pk).exists()

    assert api.delete(f"/api/v1/follows/{mine.pk}/").status_code == 204
    assert not Follow.objects.filter(pk=mine.pk).exists()
    assert api.delete(f"/api/v1/follows/{mine.pk}/").status_code == 404
