from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import services
from proposals.models import Proposal, Topic
from tests.factories import MemberFactory


@pytest.fixture
def topic(db):
    return Topic.objects.get_or_create(slug="klimat", defaults={"name": "Klimat"})[0]


@pytest.fixture
def make_proposal(tree, member):
    """make_proposal(publish=True, author=..., unit=..., **fields) through the
    service."""

    def make(
        *,
        author=None,
        unit=None,
        publish=True,
        title="Fler cykelbanor i staden",
        body="Vi vill bygga **fler** cykelbanor.",
        clauses=None,
        **kwargs,
    ):
        return services.create_proposal(
            actor=author or member,
            title=title,
            body=body,
            clauses=clauses
            if clauses is not None
            else ["att partiet verkar för cykelbanor"],
            unit=unit or tree["branch"],
            publish=publish,
            **kwargs,
        )

    return make


@pytest.fixture
def supporters(tree):
    def make(n: int, unit=None):
        return [MemberFactory(units=[unit or tree["branch"]]) for _ in range(n)]

    return make


def move_past_deadline(proposal: Proposal, *, days: float = 0.01) -> None:
    """Put the proposal's current phase end in the past (as if time had passed)."""
    Proposal.objects.filter(pk=proposal.pk).update(
        phase_ends=timezone.now() - timedelta(days=days)
    )
