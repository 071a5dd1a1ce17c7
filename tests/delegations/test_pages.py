"""Delegation pages without JavaScript: /settings/ (give, re-rank, renew, revoke),
the poll page's "who carries my vote now", and the graph page (SVG + table)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from delegations import services
from delegations.models import Delegation

from .conftest import close, vote

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    c = Client()
    c.force_login(member)
    return c


def test_settings_give_rerank_renew_and_revoke_with_plain_forms(
    tree, people, delegating_policy
):
    a, b, c = people("a", "b", "c")
    page = signed_in(a)
    html = page.get("/settings/").content.decode()
    assert 'id="delegations"' in html
    assert f'value="unit:{tree["branch"].pk}"' in html
    assert f'value="unit:{tree["district"].pk}"' not in html  # no delegation there
    r = page.post(
        "/settings/delegations/",
        {"scope": f"unit:{tree['branch'].pk}", "trustee_0": "p-b", "trustee_1": "@p-c"},
    )
    assert r.status_code == 302
    assert r["Location"] == "/settings/#delegations"
    d = Delegation.objects.get(truster=a, revoked_at__isnull=True)
    assert list(d.trustees.values_list("trustee_id", flat=True)) == [b.pk, c.pk]
    html = page.get("/settings/").content.decode()
    assert "Your vote is delegated" in html
    assert b.display_name in html
    # re-rank: the same scope with the order changed replaces it
    page.post(
        "/settings/delegations/",
        {"scope": f"unit:{tree['branch'].pk}", "trustee_0": "p-c", "trustee_1": "p-b"},
    )
    d2 = Delegation.objects.get(truster=a, revoked_at__isnull=True)
    assert list(d2.trustees.values_list("trustee_id", flat=True)) == [c.pk, b.pk]
    Delegation.objects.filter(pk=d2.pk).update(
        expires=timezone.now() + timedelta(days=2)
    )
    assert page.post(f"/settings/delegations/{d2.pk}/renew/").status_code == 302
    d2.refresh_from_db()
    assert d2.expires > timezone.now() + timedelta(days=300)
    assert page.post(f"/settings/delegations/{d2.pk}/revoke/").status_code == 302
    assert not Delegation.objects.active().filter(truster=a).exists()
    assert (
        "You have not delegated your vote." in page.get("/settings/").content.decode()
    )


def test_settings_errors_are_messages_not_500(tree, people, delegating_policy):
    (a,) = people("a")
    page = signed_in(a)
    r = page.post(
        "/settings/delegations/",
        {"scope": f"unit:{tree['branch'].pk}", "trustee_0": "nobody-here"},
        follow=True,
    )
    assert r.status_code == 200
    assert "No member is called nobody-here" in r.content.decode()
    r = page.post(
        "/settings/delegations/", {"scope": "unit:x", "trustee_0": "p-a"}, follow=True
    )
    assert r.status_code == 200
    assert "Choose a unit or a topic." in r.content.decode()
    assert page.post("/settings/delegations/99999/revoke/").status_code == 404
    assert page.get("/settings/delegations/").status_code == 405


def test_poll_page_says_who_carries_my_vote_now(tree, people, open_poll):
    a, b, c = people("a", "b", "c")
    services.give_delegation(truster=a, trustees=[b.pk, c.pk], unit=tree["branch"])
    services.give_delegation(truster=b, trustees=[c.pk], unit=tree["branch"])
    poll = open_poll()
    page = signed_in(a)
    html = page.get(f"/polls/{poll.pk}/").content.decode()
    assert "Who carries my vote now" in html
    assert "Nobody you delegated to" in html
    vote(poll, c)
    html = page.get(f"/polls/{poll.pk}/").content.decode()
    assert f"{c.display_name} carries your vote now." in html
    html = signed_in(c).get(f"/polls/{poll.pk}/").content.decode()
    assert "you carry 3 votes" in html
    vote(poll, a, "no")  # the override is visible at once
    html = page.get(f"/polls/{poll.pk}/").content.decode()
    assert "You voted yourself: you carry 1 vote." in html


def test_closed_poll_page_lists_the_carriers(tree, people, open_poll):
    a, b = people("a", "b")
    services.give_delegation(truster=a, trustees=[b.pk], unit=tree["branch"])
    poll = open_poll()
    vote(poll, b)
    close(poll)
    html = signed_in(a).get(f"/polls/{poll.pk}/").content.decode()
    assert "Votes carried by delegation" in html
    assert "Votes cast, delegated ones included" in html


def test_graph_page_draws_svg_with_a_table_for_members_only(
    tree, people, delegating_policy, client, django_assert_max_num_queries
):
    a, b, c, d = people("a", "b", "c", "d")
    services.give_delegation(truster=a, trustees=[b.pk, c.pk], unit=tree["branch"])
    services.give_delegation(truster=b, trustees=[c.pk], unit=tree["branch"])
    services.give_delegation(truster=d, trustees=[c.pk], unit=tree["branch"])
    page = signed_in(a)
    url = f"/delegations/graph/?unit={tree['branch'].pk}"
    with django_assert_max_num_queries(14):
        r = page.get(url)
    html = r.content.decode()
    assert r.status_code == 200
    assert "<svg" in html
    assert html.count('class="graph-edge') == 4
    assert "graph-fallback" in html
    assert f"{c.display_name}</td><td>4</td>" in html.replace(
        f' <span class="muted">@{c.username}</span>', ""
    )
    assert client.get(url).status_code == 302  # anonymous: sign in
    assert page.get("/delegations/graph/?unit=x").status_code == 400
    assert page.get("/delegations/graph/?unit=999999").status_code == 404
    assert (
        "Choose a unit or a topic." in page.get("/delegations/graph/").content.decode()
    )
