"""A delegate who deletes their account: the roll-call vote stays public with the
name (the public record), on a row apart from their anonymous comments."""

from __future__ import annotations

import pytest
from django.utils import timezone

from congress.models import Delegate, DelegateVote, Route
from congress.services import forward_proposal
from deliberation.discussions.services import create_thread, post_comment
from deliberation.members.erasure import erase_member
from proposals import services as proposal_services

pytestmark = pytest.mark.django_db


def test_an_erased_delegates_vote_stays_with_the_name(
    api_for, congress, tree, member, delegate_member
):
    proposal = proposal_services.create_proposal(
        actor=member,
        title="Kollektivtrafik för alla",
        body="Motivering.",
        clauses=["att resor blir gratis"],
        unit=tree["national"],
        publish=True,
    )
    item = forward_proposal(
        congress=congress, proposal=proposal, route=Route.SUPPORT, at=timezone.now()
    )
    clause = item.clauses.first()
    resp = api_for(delegate_member).post(
        f"/api/v1/congresses/{congress.pk}/items/{item.pk}/delegate-votes/",
        {"clause": clause.pk, "vote": "no", "explanation": "Distriktet sa nej."},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    name = delegate_member.display_name
    thread = create_thread(title="Tråd", unit=tree["branch"], actor=delegate_member)
    comment = post_comment(thread=thread, author=delegate_member, body="Mitt inlägg.")

    assert erase_member(member_id=delegate_member.pk)

    vote = DelegateVote.objects.select_related("delegate__member").get()
    assert (vote.vote, vote.explanation) == ("no", "Distriktet sa nej.")
    assert vote.delegate.member.display_name == name
    assert vote.delegate.member_id != delegate_member.pk
    assert Delegate.objects.filter(member=delegate_member).count() == 0
    comment.refresh_from_db()
    assert comment.author_id == delegate_member.pk
    assert comment.author.display_name == "a former member"
    record = api_for(member).get(f"/api/v1/congresses/{congress.pk}/delegates/")
    assert name in record.content.decode()
