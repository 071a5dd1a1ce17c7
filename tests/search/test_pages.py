"""The search page and the comment permalink, from the outside."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(member):
    client = Client()
    client.force_login(member)
    return client


def test_search_page_requires_sign_in(client):
    resp = client.get("/search/?q=cykel")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_header_has_a_search_form(web):
    html = web.get("/").content.decode()
    assert 'role="search"' in html
    assert 'action="/search/"' in html


def test_search_page_lists_hits_of_every_kind_with_marked_snippets(web, corpus):
    resp = web.get("/search/", {"q": "cykelbanor"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Fler cykelbanor i Stockholm" in html
    assert f'href="/comments/{corpus["comment"].pk}/"' in html
    assert f'href="/threads/{corpus["thread"].pk}/"' in html
    assert f'href="/polls/{corpus["poll"].pk}/"' in html
    assert "<mark>" in html
    assert "<script>alert" not in html
    assert "Hemligt utkast" not in html


def test_search_page_type_filter(web, corpus):
    html = web.get("/search/", {"q": "cykelbanor", "type": "poll"}).content.decode()
    assert f'href="/polls/{corpus["poll"].pk}/"' in html
    assert "/comments/" not in html.split("search-hits")[-1]


def test_search_page_bad_type_is_a_400(web, corpus):
    assert web.get("/search/", {"q": "x", "type": "nope"}).status_code == 400


def test_search_page_in_swedish(web, corpus):
    resp = web.get("/search/", {"q": "cykelbanor"}, HTTP_ACCEPT_LANGUAGE="sv")
    html = resp.content.decode()
    assert "träffar" in html or "träff" in html
    assert "Sök" in html


def test_search_page_queries_are_bounded(web, corpus, django_assert_max_num_queries):
    web.get("/search/", {"q": "cykelbanor"})
    with django_assert_max_num_queries(16):
        assert web.get("/search/", {"q": "cykelbanor"}).status_code == 200


def test_comment_link_goes_to_the_comment_in_its_thread(web, corpus):
    resp = web.get(f"/comments/{corpus['comment'].pk}/")
    assert resp.status_code == 302
    assert resp["Location"].startswith(f"/threads/{corpus['thread'].pk}/")
    assert resp["Location"].endswith(f"#c-{corpus['comment'].pk}")


def test_comment_link_to_a_drafts_thread_is_a_404_for_others(corpus, other_member):
    client = Client()
    client.force_login(other_member)
    assert client.get(f"/comments/{corpus['draft_comment'].pk}/").status_code == 404


def test_each_hit_is_named_by_its_kind_in_the_reader_s_language(web, corpus):
    html = web.get(
        "/search/", {"q": "cykelbanor", "type": "poll"}, HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    assert '<span class="tag">Omröstning</span>' in html
