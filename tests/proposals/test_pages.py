"""Proposal pages with Django's test client: forms work without JavaScript,
Open Graph on shareable pages, fixed query counts on the list."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from proposals.models import Amendment, Proposal, State, Support
from tests.factories import MemberFactory, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(member):
    client = Client()
    client.force_login(member)
    return client


def web_for(m):
    client = Client()
    client.force_login(m)
    return client


def test_list_is_public_at_teaser_level_and_says_what_signing_in_adds(client):
    resp = client.get("/proposals/")
    assert resp.status_code == 200
    assert "/accounts/login/?next=/proposals/" in resp.content.decode()


def test_nav_has_proposals_link(web):
    html = web.get("/").content.decode()
    assert '<a href="/proposals/"' in html


def test_write_and_publish_without_js(web, tree, topic, member):
    page = web.get("/proposals/new/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    resp = web.post(
        "/proposals/new/",
        {
            "title": "Fler parkbänkar i Södermalm",
            "body": "Sitta *ner*.",
            "clauses": "att partiet verkar för fler bänkar\natt de ska vara gröna",
            "unit": tree["branch"].pk,
            "topics": [topic.pk],
            "publish": "on",
        },
    )
    assert resp.status_code == 302
    p = Proposal.objects.get()
    assert resp["Location"] == f"/proposals/{p.pk}/"
    assert p.state == State.GATHERING_SUPPORT
    assert p.clauses == ["att partiet verkar för fler bänkar", "att de ska vara gröna"]
    html = web.get(resp["Location"]).content.decode()
    assert "Fler parkbänkar i Södermalm" in html
    assert "<em>ner</em>" in html
    assert "data-support-count" in html
    assert "of" in html
    assert "days left" in html
    assert 'property="og:title" content="Fler parkbänkar i Södermalm"' in html
    assert "/static/torget/js/proposals.js" in html
    assert "<script>" not in html
    assert 'style="' not in html


def test_new_proposal_form_errors_are_shown(web, tree):
    resp = web.post("/proposals/new/", {"title": "x", "unit": tree["branch"].pk})
    assert resp.status_code == 400
    assert "field-error" in resp.content.decode()
    assert not Proposal.objects.exists()


def test_similar_proposals_shown_while_writing(web, make_proposal):
    make_proposal(title="Fler cykelbanor i Stockholm")
    partial = web.get("/proposals/similar/?title=cykelbanor", HTTP_HX_REQUEST="true")
    assert "Fler cykelbanor i Stockholm" in partial.content.decode()
    no_js = web.get("/proposals/new/?title=cykelbanor").content.decode()
    assert "Fler cykelbanor i Stockholm" in no_js
    assert 'hx-get="/proposals/similar/"' in no_js


def test_support_form_without_js(make_proposal, other_member, supporters):
    supporters(30)
    p = make_proposal()
    client = web_for(other_member)
    resp = client.post(f"/proposals/{p.pk}/act/", {"action": "support"})
    assert resp.status_code == 302
    assert Support.objects.filter(proposal=p, member=other_member).exists()
    html = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "Take back my support" in html
    resp = client.post(f"/proposals/{p.pk}/act/", {"action": "support"}, follow=True)
    assert "You already support this proposal." in resp.content.decode()
    assert Support.objects.count() == 1


def test_outsider_sees_reason_and_no_support_button(make_proposal):
    p = make_proposal()
    client = web_for(MemberFactory(units=[make_tree()["branch"]]))
    html = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "Support this proposal" not in html
    resp = client.post(f"/proposals/{p.pk}/act/", {"action": "support"}, follow=True)
    assert "Only members of" in resp.content.decode()
    assert not Support.objects.exists()


def test_post_without_csrf_is_refused(make_proposal, member):
    p = make_proposal()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert (
        client.post(f"/proposals/{p.pk}/act/", {"action": "support"}).status_code == 403
    )


def test_anonymous_share_link_gets_teaser_with_open_graph(client, make_proposal):
    p = make_proposal()
    resp = client.get(f"/proposals/{p.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'property="og:title"' in html
    assert 'property="og:url"' in html
    assert "Vi vill bygga" not in html  # the text is for members
    draft = make_proposal(publish=False)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 404


def test_edit_makes_revision_and_diff_page(web, make_proposal):
    p = make_proposal(body="Vi vill bygga fler cykelbanor.")
    resp = web.post(
        f"/proposals/{p.pk}/edit/",
        {
            "title": p.title,
            "body": "Vi vill bygga breda cykelbanor.",
            "clauses": "att partiet verkar för cykelbanor",
            "note": "bredare",
        },
    )
    assert resp.status_code == 302
    html = web.get(f"/proposals/{p.pk}/revisions/").content.decode()
    assert "bredare" in html
    diff = web.get(f"/proposals/{p.pk}/diff/?from=1&to=2").content.decode()
    assert "<del>fler</del>" in diff
    assert "<ins>breda</ins>" in diff
    assert web.get(f"/proposals/{p.pk}/diff/?from=1&to=7").status_code == 404


def test_edit_frozen_is_refused_with_reason(web, make_proposal):
    p = make_proposal()
    Proposal.objects.filter(pk=p.pk).update(state=State.FROZEN)
    resp = web.post(
        f"/proposals/{p.pk}/edit/", {"title": "Ändrad titel", "body": "", "clauses": ""}
    )
    assert resp.status_code == 400
    assert "can no longer be edited" in resp.content.decode()


def test_amendment_pages(web, make_proposal, other_member, member):
    p = make_proposal(body="Vi vill ha fler cykelbanor.")
    client = web_for(other_member)
    resp = client.post(
        f"/proposals/{p.pk}/amendments/new/",
        {
            "target": "body",
            "original": "fler cykelbanor",
            "replacement": "breda cykelbanor",
            "rationale": "Säkrare",
        },
    )
    a = Amendment.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == f"/proposals/{p.pk}/amendments/{a.pk}/"
    html = client.get(resp["Location"]).content.decode()
    assert "<del>fler</del>" in html
    assert "<ins>breda</ins>" in html
    bad = client.post(
        f"/proposals/{p.pk}/amendments/new/",
        {"target": "body", "original": "finns inte", "replacement": "x"},
    )
    assert bad.status_code == 400
    web.post(f"/proposals/{p.pk}/amendments/{a.pk}/act/", {"action": "accept"})
    p.refresh_from_db()
    assert p.body == "Vi vill ha breda cykelbanor."
    assert p.revision == 2


def test_coauthor_accepts_by_form(web, tree, member, other_member):
    web.post(
        "/proposals/new/",
        {
            "title": "Skrivet tillsammans",
            "unit": tree["branch"].pk,
            "coauthors": other_member.username,
        },
    )
    p = Proposal.objects.get()
    client = web_for(other_member)
    assert (
        "You are invited to co-author"
        in client.get(f"/proposals/{p.pk}/").content.decode()
    )
    client.post(f"/proposals/{p.pk}/act/", {"action": "accept_coauthor"})
    assert p.authorships.get(member=other_member).accepted_at is not None


def test_follow_button(web, make_proposal, member):
    p = make_proposal()
    web.post(f"/proposals/{p.pk}/act/", {"action": "follow"})
    assert "Stop following" in web.get(f"/proposals/{p.pk}/").content.decode()
    ids = re.findall(
        r'href="/proposals/(\d+)/"', web.get("/proposals/?followed=on").content.decode()
    )
    assert ids == [str(p.pk)]


def test_list_filters_and_search_without_js(web, make_proposal, topic, tree):
    make_proposal(title="Billigare bussar på landet", topics=[topic], clauses=[])
    make_proposal(title="Nya skolor i förorten", clauses=[])
    html = web.get(f"/proposals/?topic={topic.pk}").content.decode()
    assert "Billigare bussar" in html
    assert "Nya skolor" not in html
    html = web.get("/proposals/?q=skolor").content.decode()
    assert "Nya skolor" in html
    assert "Billigare bussar" not in html
    html = web.get("/proposals/?state=bogus").content.decode()
    assert "Select a valid choice" in html
    for odd in ["?q=a%00b", "?page=999", "?page_size=abc", "?unit=x", "?q=%22%22%22"]:
        assert web.get("/proposals/" + odd).status_code == 200, odd
    assert web.get("/proposals/similar/?title=a%00b").status_code == 200


def test_list_page_query_count_is_fixed(
    web,
    make_proposal,
    topic,
    supporters,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    for i in range(30):
        make_proposal(
            title=f"Förslag nummer {i}",
            topics=[topic],
            coauthors=supporters(1) if i % 4 == 0 else None,
        )
    web.get("/proposals/?page_size=5")  # warm the session
    # session + user, units and topics for the filters, count, page, topics, authors
    # (the layout may add its own few); the same for any page size.
    with django_assert_max_num_queries(12) as small:
        resp = web.get("/proposals/?page_size=5")
    assert resp.content.decode().count('class="proposal-card"') == 5
    with django_assert_num_queries(len(small.captured_queries)):
        resp = web.get("/proposals/?page_size=25")
    assert resp.content.decode().count('class="proposal-card"') == 25


def test_atom_feed_per_unit_and_topic(client, make_proposal, topic, tree, member):
    make_proposal(title="I flödet", topics=[topic])
    make_proposal(title="Utanför ämnet")
    make_proposal(title="Ett utkast", publish=False)
    resp = client.get(f"/proposals/feed/?topic={topic.pk}")
    assert resp["Content-Type"].startswith("application/atom+xml")
    body = resp.content.decode()
    assert "I flödet" in body
    assert "Utanför ämnet" not in body
    assert "Ett utkast" not in body
    other = client.get(f"/proposals/feed/?unit={tree['branch2'].pk}").content.decode()
    assert "I flödet" not in other


def test_home_and_unit_page_show_proposals(web, make_proposal, tree, other_member):
    """The unit page lists its proposals; the home page only what the member can
    act on, saying the action (tests/notifications/test_needs_action_pages.py)."""
    make_proposal(title="Syns på startsidan", author=other_member)
    make_proposal(title="Mitt eget förslag")  # the member's own: nothing to do
    page = web.get("/").content.decode()
    start = page.index('id="needs-action-h"')
    home = page[start : page.index("</section>", start)]  # (the audit block names both)
    assert "Syns på startsidan" in home
    assert "Support — 1 more needed" in home
    assert "Mitt eget förslag" not in home
    unit = web.get(f"/units/{tree['branch'].pk}/").content.decode()
    assert "Syns på startsidan" in unit
    assert "Mitt eget förslag" in unit


def test_author_withdraws_and_publishes_by_form(web, make_proposal):
    draft = make_proposal(publish=False)
    web.post(f"/proposals/{draft.pk}/act/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.state == State.GATHERING_SUPPORT
    web.post(f"/proposals/{draft.pk}/act/", {"action": "withdraw"})
    draft.refresh_from_db()
    assert draft.state == State.WITHDRAWN


def test_others_cannot_edit(make_proposal, other_member):
    p = make_proposal()
    assert web_for(other_member).get(f"/proposals/{p.pk}/edit/").status_code == 403


def test_policy_page_admin_changes_with_reason(tree, admin_member, member):
    from deliberation.audit.models import AuditEntry

    url = f"/units/{tree['branch'].pk}/policy/"
    html = web_for(member).get(url).content.decode()
    assert "follows the default policy" in html
    assert "Change the policy" not in html
    assert web_for(member).post(url, {"support_days": 1}).status_code == 403
    admin = web_for(admin_member)
    form = {
        "admission_quorum": "0.2",
        "support_days": 10,
        "discussion_days": 7,
        "freeze_days": 2,
        "voting_days": 5,
        "majority": "two_thirds",
        "turnout_quorum": "0",
        "ballot": "open",
        "amendment_quorum": "0.05",
        "delegation_days": 365,
        "reason": "Beslutat på årsmötet",
    }
    assert admin.post(url, {**form, "admission_quorum": "3"}).status_code == 400
    assert admin.post(url, form).status_code == 302
    assert "This unit has its own policy" in admin.get(url).content.decode()
    assert (
        AuditEntry.objects.get(action="policy.updated").reason == "Beslutat på årsmötet"
    )


def test_new_proposal_defaults_to_own_branch(web, tree):
    html = web.get("/proposals/new/").content.decode()
    assert re.search(rf'<option value="{tree["branch"].pk}" selected>', html)


def test_support_over_time_chart_reads_without_js(
    make_proposal, other_member, supporters, member
):
    from datetime import timedelta

    from proposals.models import Support

    people = supporters(30)
    p = make_proposal()
    html = web_for(member).get(f"/proposals/{p.pk}/").content.decode()
    assert "Support by day" not in html  # nothing to show yet
    web_for(other_member).post(f"/proposals/{p.pk}/act/", {"action": "support"})
    html = web_for(member).get(f"/proposals/{p.pk}/").content.decode()
    assert "<svg" not in html
    assert "<td>1</td><td>1</td>" in html
    Proposal.objects.filter(pk=p.pk).update(
        published_at=p.published_at - timedelta(days=3)
    )
    Support.objects.update(created=p.published_at - timedelta(days=2))
    web_for(people[0]).post(f"/proposals/{p.pk}/act/", {"action": "support"})
    html = web_for(member).get(f"/proposals/{p.pk}/").content.decode()
    assert "<svg" in html
    assert "<polyline" in html
    assert 'class="chart-quorum"' in html
    assert "<td>1</td><td>2</td>" in html


def test_detail_page_query_count_does_not_grow(
    make_proposal, member, other_member, supporters, django_assert_num_queries
):
    from proposals import services

    people = supporters(10)
    p = make_proposal(body="ett två tre fyra fem sex sju åtta nio tio")
    services.create_amendment(
        proposal=p, actor=other_member, original="ett", replacement="1"
    )
    services.support_proposal(proposal=p, member=people[-1])
    client = web_for(member)
    client.get(f"/proposals/{p.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(f"/proposals/{p.pk}/")
    for word, person in zip(["två", "tre", "fyra", "fem"], people, strict=False):
        a = services.create_amendment(
            proposal=p, actor=person, original=word, replacement="x"
        )
        services.support_amendment(amendment=a, member=other_member)
        services.support_proposal(proposal=p, member=person)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(f"/proposals/{p.pk}/")


def test_proposal_page_in_discussion_stays_within_its_query_budget(
    make_proposal, topic, member, supporters, django_assert_max_num_queries
):
    """The issue's proposal page: in discussion, revisions, supports, 10 comments.
    The proposal's own part is 7 queries (the proposal with the viewer's support
    and follow and whether it has amendments or alternatives, its history, topics,
    authors, the viewer's units and their paths, support by day); none for
    amendments or alternatives it does not have. The rest: session and member,
    the layout's two (moderation roles, unread count), the embedded thread
    block."""
    from deliberation.discussions.services import post_comment
    from proposals import services

    people = supporters(12)
    p = make_proposal(topics=[topic])
    for n in range(2):
        services.update_proposal(
            proposal=p, actor=member, body=f"Version {n}.", note="clearer"
        )
    for person in people:
        services.support_proposal(proposal=p, member=person)
    p.refresh_from_db()
    assert p.support_count == 12
    if p.state != State.DISCUSSION:  # the quorum depends on the tree's size
        Proposal.objects.filter(pk=p.pk).update(state=State.DISCUSSION)
    for n in range(10):
        post_comment(
            thread=p.thread, author=people[n % 3], body=f"c{n}", enforce_rate=False
        )
    client = web_for(member)
    client.get(f"/proposals/{p.pk}/")
    with django_assert_max_num_queries(18):
        html = client.get(f"/proposals/{p.pk}/").content.decode()
    assert html.count('data-comment="') >= 10
    assert "Klimat" in html
    assert "Take back my support" not in html  # the author has not supported it


def test_edit_changes_topics_and_author_filter_is_named(
    web, make_proposal, topic, member
):
    p = make_proposal()
    web.post(
        f"/proposals/{p.pk}/edit/",
        {
            "title": p.title,
            "body": p.body,
            "clauses": "\n".join(p.clauses),
            "topics": [topic.pk],
        },
    )
    assert list(p.topics.all()) == [topic]
    html = web.get(f"/proposals/?author={member.pk}").content.decode()
    assert f'Proposals by <a href="/members/{member.pk}/"' in html
    assert member.display_name in html


def test_timeline_shows_past_current_and_planned_phases(
    make_proposal, other_member, member
):
    from proposals import services

    p = services.support_proposal(proposal=make_proposal(), member=other_member)
    html = web_for(member).get(f"/proposals/{p.pk}/").content.decode()
    section = html[html.index('id="timeline-h"') : html.index('id="hist-h"')]
    assert section.count('class="timeline-done"') == 1
    assert 'class="timeline-current" aria-current="step"' in section
    assert section.count('class="timeline-planned"') == 2
    assert "now, until" in section
    assert "if on schedule" in section


def test_list_page_subunits_checkbox(web, make_proposal, tree):
    make_proposal(title="Avdelningens förslag")
    unit = tree["municipality"].pk
    assert (
        "Avdelningens förslag"
        not in web.get(f"/proposals/?unit={unit}").content.decode()
    )
    assert (
        "Avdelningens förslag"
        in web.get(f"/proposals/?unit={unit}&subunits=on").content.decode()
    )


def test_one_url_per_action_for_plain_forms(make_proposal, other_member, supporters):
    supporters(30)
    p = make_proposal()
    client = web_for(other_member)
    html = client.get(f"/proposals/{p.pk}/").content.decode()
    assert f'action="/proposals/{p.pk}/support/"' in html
    assert client.post(f"/proposals/{p.pk}/support/").status_code == 302
    assert Support.objects.filter(proposal=p, member=other_member).exists()
    assert (
        f'action="/proposals/{p.pk}/unsupport/"'
        in client.get(f"/proposals/{p.pk}/").content.decode()
    )
    client.post(f"/proposals/{p.pk}/unsupport/")
    assert not Support.objects.exists()
    assert client.get(f"/proposals/{p.pk}/support/").status_code == 405
