"""Hand-built situations for the "needs my action" tests (real services)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from voting import services as voting


def open_poll(unit, actor, *, hours=30, question="Ska vi ha möte på tisdag?"):
    """An advisory yes/no poll in `unit`, closing in `hours`; its roll is the unit's
    members (and those below) at this moment."""
    return voting.create_advisory_poll(
        actor=actor,
        unit=unit,
        thread=None,
        question=question,
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(hours=hours),
    )


def vote(poll, member, choice="yes"):
    question = poll.questions.get()
    return voting.cast_ballot(
        poll=poll,
        member=member,
        payload={"answers": [{"question": question.pk, "choice": choice}]},
    )


def items(client, **params):
    resp = client.get("/api/v1/needs-action/", params)
    assert resp.status_code == 200, resp.content
    return resp.json()


def kinds(client, **params):
    return [
        (i["kind"], i["object"]["type"], i["object"]["id"])
        for i in items(client, **params)
    ]


def proposal_near_quorum(unit, author, supporters, *, needed=4, days_left=20):
    """A published proposal in `unit` with `len(supporters)` supports of `needed`,
    its support period ending in `days_left` days."""
    from proposals import services as proposals
    from proposals.models import Proposal

    proposal = proposals.create_proposal(
        actor=author,
        title="Fler cykelbanor i staden",
        body="Motivering.",
        clauses=["att partiet verkar för cykelbanor"],
        unit=unit,
        publish=True,
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        support_needed=needed, phase_ends=timezone.now() + timedelta(days=days_left)
    )
    for s in supporters:
        proposals.support_proposal(proposal=proposal, member=s)
    proposal.refresh_from_db()
    return proposal
