"""The public audit log reads as sentences in the reader's language, rendered at
display time from each entry's action and data, with names and links; it holds
every phase change of a published proposal; it filters on the page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from deliberation.discussions.services import create_thread, hide_comment, post_comment
from proposals import services as proposals
from proposals.models import Proposal
from tests.conftest import client_for
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db


def sv(client):
    client.cookies["django_language"] = "sv"
    return client


@pytest.fixture
def moderator(tree):
    m = MemberFactory(units=[tree["branch"]], full_name="Mona Moderator")
    give_role(m, tree["district"], "moderator")
    return m


def test_a_role_grant_reads_in_swedish_with_role_and_unit_names(
    client, tree, member, moderator
):
    resp = sv(client).get("/audit/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Gav Mona Moderator rollen Moderator i <a" in html
    assert "rollen Moderator" in html
    assert (
        f'<a href="/units/{tree["district"].pk}/">{tree["district"].name}</a>' in html
    )
    assert '<span class="tag">role.granted' not in html
    assert "moderator @" not in html  # the old English summary


def test_the_same_entry_reads_in_english(client, tree, moderator):
    html = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the role Moderator in" in html


def test_a_hidden_comment_links_to_the_comment_and_names_the_thread(
    client, tree, member, moderator
):
    thread = create_thread(title="Om lokalen", unit=tree["branch"], actor=member)
    comment = post_comment(thread=thread, author=member, body="Olämpligt")
    hide_comment(comment=comment, moderator=moderator, reason="Personangrepp")
    html = sv(client).get("/audit/?action=comment.hide").content.decode()
    assert f'href="/threads/{thread.pk}/#c-{comment.pk}"' in html
    assert "Dolde <a" in html
    assert "”Om lokalen”" in html
    assert "Personangrepp" in html
    assert "Hidden comment" not in html


def test_the_api_renders_the_summary_in_the_readers_language(tree, member, moderator):
    api = client_for(member)
    entry = api.get("/api/v1/audit-log/", HTTP_ACCEPT_LANGUAGE="sv").json()["results"][
        0
    ]
    assert entry["action"] == "role.granted"
    assert entry["label"] == "Roll tilldelad"
    assert entry["summary"].startswith("Gav Mona Moderator rollen Moderator i ")
    assert 'href="/units/' in entry["html"]
    en = api.get("/api/v1/audit-log/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert en[0]["summary"].startswith("Gave Mona Moderator the role Moderator in ")


def test_every_phase_change_of_a_published_proposal_is_in_the_log(tree, member, client):
    p = proposals.create_proposal(
        actor=member,
        title="Fler cykelbanor i staden",
        unit=tree["branch"],
        publish=True,
    )
    for m in [MemberFactory(units=[tree["branch"]]) for _ in range(p.support_needed)]:
        if Proposal.objects.get(pk=p.pk).state == "gathering_support":
            proposals.support_proposal(proposal=p, member=m)
    for _ in range(2):  # discussion → frozen → voting, on schedule
        Proposal.objects.filter(pk=p.pk).update(
            phase_ends=timezone.now() - timedelta(minutes=1)
        )
        proposals.advance_due_proposals()
    p.refresh_from_db()
    assert p.state == "voting"
    entries = list(
        AuditEntry.objects.filter(action="proposal.state_changed").order_by("id")
    )
    assert [e.data["to"] for e in entries] == [
        "gathering_support",
        "discussion",
        "frozen",
        "voting",
    ]
    assert entries[0].actor == member
    assert entries[2].actor is None
    assert entries[2].at == p.frozen_at  # dated when it was due
    html = sv(client).get("/audit/?action=proposal.state_changed").content.decode()
    assert f'<a href="/proposals/{p.pk}/">”Fler cykelbanor i staden”</a>' in html
    assert "Publicerade" in html
    assert "frystes" in html
    assert "systemet (enligt schemat)" in html


def test_a_draft_withdrawn_before_publishing_leaves_no_trace(tree, member):
    draft = proposals.create_proposal(
        actor=member, title="Hemligt utkast om bibliotek", unit=tree["branch"]
    )
    proposals.withdraw_proposal(proposal=draft, actor=member)
    assert not AuditEntry.objects.filter(target_id=str(draft.pk)).exists()


def test_filters_on_the_api_action_unit_member_and_period(tree, member, moderator):
    other = MemberFactory(units=[tree["branch2"]])
    give_role(other, tree["branch2"], "facilitator")
    old = AuditEntry.objects.get(data__member=other.pk)
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    api = client_for(member)

    def ids(query):
        resp = api.get(f"/api/v1/audit-log/?{query}")
        assert resp.status_code == 200, resp.json()
        return {e["id"] for e in resp.json()["results"]}

    mine = AuditEntry.objects.get(data__member=moderator.pk).pk
    assert ids("action=role.granted") == {mine, old.pk}
    assert ids(f"unit={tree['branch2'].pk}") == {old.pk}
    assert ids(f"member={moderator.pk}") == {mine}
    today = timezone.localdate()
    assert ids(f"since={today - timedelta(days=1)}") == {mine}
    assert ids(f"until={today - timedelta(days=30)}") == {old.pk}
    for bad in ("action=nope", "unit=x", "since=2026-13-01", "until=yesterday"):
        resp = api.get(f"/api/v1/audit-log/?{bad}")
        assert resp.status_code == 400, bad
        assert bad.split("=")[0] in resp.json()


def test_filters_on_the_page(client, tree, member, moderator):
    html = sv(client).get(f"/audit/?member={moderator.pk}").content.decode()
    assert "Poster av eller om Mona Moderator" in html
    assert 'id="f-action"' in html
    assert 'id="f-until"' in html
    assert client.get("/audit/?since=nope").status_code == 400
    empty = client.get(f"/audit/?unit={tree['branch2'].pk}").content.decode()
    assert 'class="audit-entry"' not in empty


def test_revision_notes_are_rendered_in_the_readers_language(tree, member, client):
    p = proposals.create_proposal(
        actor=member, title="Fler cykelbanor i staden", unit=tree["branch"]
    )
    proposals.update_proposal(
        proposal=p, actor=member, body="Ny motivering", note="Rättat stavfel"
    )
    client.force_login(member)
    html = sv(client).get(f"/proposals/{p.pk}/revisions/").content.decode()
    assert "Första versionen" in html
    assert "Rättat stavfel" in html
    api = client_for(member)
    rev = api.get(
        f"/api/v1/proposals/{p.pk}/revisions/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    rows = rev["results"] if isinstance(rev, dict) else rev
    first = next(r for r in rows if r["number"] == 1)
    assert first["note"] == "First version"
    assert first["note_code"] == "first"


def test_the_log_page_and_api_take_the_same_queries_for_2_or_12_kinds_of_rows(
    client, tree, member, moderator
):
    """Every kind of entry (roles, moderation, phase changes) in the list: the
    names and links of each kind come in one query per page, not one per row."""
    from tests.test_query_counts import api_rows, assert_fixed, html_rows

    thread = create_thread(title="Om lokalen", unit=tree["branch"], actor=member)

    def grow(n):
        for _ in range(n):
            author = MemberFactory(units=[tree["branch"]])
            give_role(author, tree["branch"], "facilitator")
            comment = post_comment(thread=thread, author=author, body="Olämpligt")
            hide_comment(comment=comment, moderator=moderator, reason="Personangrepp")
            proposals.create_proposal(
                actor=author, title="Fler cykelbanor", unit=tree["branch"], publish=True
            )

    client.force_login(member)
    assert_fixed(client, "/audit/", grow, html_rows('class="audit-entry"'))
    assert_fixed(client_for(member), "/api/v1/audit-log/?page_size=50", grow, api_rows)
