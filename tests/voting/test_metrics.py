"""Poll close → result on /metrics: a real close of a poll with ballots adds one
observation, as long as the time since the closing time; a second close (already
counted) adds none."""

from __future__ import annotations

import pytest

from tests.metrics_scrape import scrape, value
from tests.voting.conftest import answers_for, past_close
from voting import services

pytestmark = pytest.mark.django_db

NAME = "torget_poll_result_seconds"


def test_a_close_is_observed_once(proposal_poll, member, client, settings):
    poll = proposal_poll()
    services.cast_ballot(poll=poll, member=member, payload=answers_for(poll))
    before = scrape(client, settings)
    poll = past_close(poll)  # closed one second ago
    assert services.close_poll(poll=poll) is not None
    after = scrape(client, settings)
    assert value(after, f"{NAME}_count") - value(before, f"{NAME}_count") == 1
    seconds = value(after, f"{NAME}_sum") - value(before, f"{NAME}_sum")
    assert 1 <= seconds < 60, seconds
    services.close_poll(poll=poll)  # counted already: nothing new
    again = scrape(client, settings)
    assert value(again, f"{NAME}_count") == value(after, f"{NAME}_count")
