"""The subject registry: a kind without a registered rule is readable by nobody, and
each registered rule's per-object form and list form agree."""

from __future__ import annotations

import pytest

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors
from deliberation.discussions.models import Thread
from deliberation.discussions.subjects import readable_filter, registered_kinds
from proposals.services import create_amendment, create_proposal

pytestmark = pytest.mark.django_db


def test_core_and_proposals_register_their_kinds():
    assert {"unit", "proposal", "amendment"} <= set(registered_kinds())


def test_a_kind_without_a_rule_is_closed(tree, member, api):
    thread = Thread.objects.create(title="Poll talk", unit=tree["branch"], kind="poll")
    assert perms.can_read_thread(member, thread) is False
    assert not selectors.readable_threads(member).filter(pk=thread.pk).exists()
    assert api.get(f"/api/v1/threads/{thread.pk}/").status_code == 404


def test_amendment_thread_follows_its_proposal(tree, member, outsider, api_for):
    proposal = create_proposal(
        actor=member,
        title="Fler cykelbanor",
        body="Vi vill bygga fler cykelbanor.",
        clauses=[],
        unit=tree["branch"],
        publish=True,
    )
    amendment = create_amendment(
        proposal=proposal, actor=member, original="fler", replacement="många fler"
    )
    thread = Thread.objects.get(pk=amendment.thread_id)
    assert thread.kind == "amendment"
    assert perms.can_read_thread(outsider, thread)
    assert Thread.objects.filter(readable_filter(outsider), pk=thread.pk).exists()
    resp = api_for(outsider).get(f"/api/v1/threads/{thread.pk}/comments/")
    assert resp.status_code == 200


def test_a_draft_thread_is_listed_for_authors_only(tree, member, outsider, api_for):
    draft = create_proposal(
        actor=member,
        title="Hemligt utkast",
        body="",
        clauses=[],
        unit=tree["branch"],
        publish=False,
    )
    for viewer, expected in ((member, True), (outsider, False)):
        thread = Thread.objects.get(pk=draft.thread_id)
        assert perms.can_read_thread(viewer, thread) is expected
        listed = selectors.readable_threads(viewer).filter(pk=thread.pk).exists()
        assert listed is expected
    titles = [
        t["title"]
        for t in api_for(outsider)
        .get("/api/v1/threads/?kind=proposal")
        .json()["results"]
    ]
    assert "Hemligt utkast" not in titles
