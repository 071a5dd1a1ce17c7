from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from congress import services
from congress.models import Congress
from proposals import services as proposal_services
from tests.factories import MemberFactory
from tests.voting.conftest import answers_for, past_close, to_vote
from voting import services as voting_services
from voting.closing import close_due_polls
from voting.models import Poll


def make_congress(admin, *, name="Kongressen 2026", in_session=True, **kw) -> Congress:
    today = timezone.localdate()
    now = timezone.now()
    return services.create_congress(
        actor=admin,
        name=name,
        starts=kw.pop(
            "starts",
            today - timedelta(days=1) if in_session else today + timedelta(days=10),
        ),
        ends=kw.pop(
            "ends",
            today + timedelta(days=2) if in_session else today + timedelta(days=12),
        ),
        window_opens=kw.pop("window_opens", now - timedelta(days=30)),
        items_deadline=kw.pop("items_deadline", now + timedelta(days=1)),
        **kw,
    )


@pytest.fixture
def congress(admin_member):
    return make_congress(admin_member)


@pytest.fixture
def voted_proposal(tree, member, other_member):
    """Walk a proposal of `unit` through support and the vote; `yes`/`no` voters from
    the branch answer every clause. Returns the proposal (adopted or rejected)."""

    def make(
        *,
        unit=None,
        yes=3,
        no=1,
        clauses=("att vi bygger cykelbanor", "att vi planterar träd"),
        title="Fler cykelbanor i hela landet",
    ):
        proposal = proposal_services.create_proposal(
            actor=member,
            title=title,
            body="Motivering.",
            clauses=list(clauses),
            unit=unit or tree["national"],
            publish=True,
        )
        voters = [MemberFactory(units=[tree["branch"]]) for _ in range(yes + no)]
        to_vote(proposal, supporter=other_member)
        poll = Poll.objects.get(proposals=proposal)
        for i, voter in enumerate(voters):
            voting_services.cast_ballot(
                poll=poll,
                member=voter,
                payload=answers_for(poll, "yes" if i < yes else "no"),
            )
        past_close(poll)
        close_due_polls()
        proposal.refresh_from_db()
        return proposal

    return make


@pytest.fixture
def delegate_member(tree, congress, admin_member):
    m = MemberFactory(units=[tree["branch"]])
    services.record_delegate(
        actor=admin_member,
        congress=congress,
        member=m,
        unit=tree["district"],
        chosen="vald av distriktsårsmötet 2026-10-12",
    )
    return m
