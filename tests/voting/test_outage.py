"""A ballot cast while Redis (cache, channel layer) is down is stored and answered
with its receipt — never a 500 after the ballot was already committed."""

from __future__ import annotations

import pytest

from tests.redis_server import own_redis, redis_settings  # noqa: F401 (fixtures)
from tests.voting.conftest import answers_for
from voting.models import Participation

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("ballot", ["secret", "open"])
def test_a_ballot_cast_while_redis_is_down_is_stored_and_answered(
    redis_settings,  # noqa: F811
    advisory,
    api,
    member,
    ballot,
):
    poll = advisory(ballot=ballot)
    redis_settings.stop()
    resp = api.post(
        f"/api/v1/polls/{poll.pk}/ballots/", answers_for(poll), format="json"
    )
    assert resp.status_code == 201, resp.content
    assert Participation.objects.filter(poll=poll, member=member).count() == 1
