import re

import pytest
from django.test import Client

from tests.factories import give_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_sign_in_and_out_on_the_pages(client, member, password):
    resp = client.post(
        "/accounts/login/", {"username": member.username, "password": password}
    )
    assert resp.status_code == 302
    assert member.display_name in client.get("/").content.decode()
    resp = client.post("/accounts/logout/")
    assert resp.status_code == 302
    assert "Sign in" in client.get("/").content.decode()


def test_sign_in_with_email_address(client, member, password):
    resp = client.post(
        "/accounts/login/", {"username": member.email, "password": password}
    )
    assert resp.status_code == 302


def test_repeated_failed_sign_ins_get_a_clear_refusal(client, member, password):
    for _ in range(5):
        resp = client.post(
            "/accounts/login/", {"username": member.username, "password": "x"}
        )
        assert resp.status_code == 400
    resp = client.post(
        "/accounts/login/", {"username": member.username, "password": password}
    )
    assert resp.status_code == 429
    assert "Too many failed sign-in attempts" in resp.content.decode()


def test_password_reset_by_email(
    client, member, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/accounts/password-reset/", {"email": member.email})
    assert resp.status_code == 302
    (msg,) = smtp_server.wait_for(1)
    assert msg["X-Rcpt-To"] == member.email
    link = re.search(r"http://\S+/accounts/reset/\S+/", smtp_server.body(msg)).group(0)
    path = "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    resp = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Nytt-losen-2026!", "new_password2": "Nytt-losen-2026!"},
    )
    assert resp.status_code == 302
    assert Client().login(username=member.username, password="Nytt-losen-2026!")


def test_unit_page_shows_subunits_member_count_and_role_holders(
    client, tree, member, other_member, outsider
):
    give_role(member, tree["branch"], "facilitator")
    html = client.get(f"/units/{tree['municipality'].pk}/").content.decode()
    assert tree["branch"].name in html
    assert tree["branch2"].name in html
    assert "3 members" in html
    html = client.get(f"/units/{tree['branch'].pk}/").content.decode()
    assert "2 members" in html
    assert "Facilitator" in html
    assert member.display_name in html


def test_unknown_unit_is_404(client, db):
    assert client.get("/units/999999/").status_code == 404


def test_audit_log_page_lists_role_grants(client, tree, member):
    give_role(member, tree["branch"], "moderator")
    html = client.get("/audit/").content.decode()
    assert "role.granted" in html
    assert "test" in html


def test_language_switch_to_swedish(client, db):
    resp = client.post("/i18n/setlang/", {"language": "sv", "next": "/units/"})
    assert resp.status_code == 302
    html = client.get("/units/").content.decode()
    assert 'lang="sv"' in html
    assert "Logga in" in html


def test_security_headers_and_csp(client, db):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_settings_page_requires_sign_in_and_saves_language(client, member, password):
    assert client.get("/settings/").status_code == 302
    client.login(username=member.username, password=password)
    resp = client.post(
        "/settings/", {"full_name": "Ny Namn", "email": member.email, "language": "sv"}
    )
    assert resp.status_code == 302
    member.refresh_from_db()
    assert member.full_name == "Ny Namn"
    assert member.language == "sv"
    resp = client.post("/settings/", {"full_name": "x", "language": "xx"})
    assert resp.status_code == 400
    member.refresh_from_db()
    assert member.full_name == "Ny Namn"


def test_settings_page_shows_the_email_but_does_not_change_it(client, member, password):
    client.login(username=member.username, password=password)
    old_email = member.email
    assert old_email in client.get("/settings/").content.decode()
    resp = client.post(
        "/settings/",
        {"full_name": "Ny Namn", "email": "evil@example.org", "language": ""},
    )
    assert resp.status_code == 302
    member.refresh_from_db()
    assert member.email == old_email
    assert member.full_name == "Ny Namn"


def test_unit_pages_have_fixed_query_counts(client, tree, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_tree

    with CaptureQueriesContext(connection) as ctx:
        client.get("/units/")
    first = len(ctx.captured_queries)
    assert first <= 6
    make_tree()
    make_tree()
    with django_assert_num_queries(first):
        client.get("/units/")


def test_unit_admin_grants_and_ends_a_role_on_the_unit_page(
    client, tree, admin_member, member, password
):
    client.login(username=admin_member.username, password=password)
    page = client.get(f"/units/{tree['branch'].pk}/").content.decode()
    assert "Grant a role" in page
    resp = client.post(
        f"/units/{tree['branch'].pk}/roles/grant/",
        {
            "username": member.username,
            "role": "facilitator",
            "starts": "2026-01-01",
            "ends": "2030-01-01",
            "reason": "Elected at the spring meeting",
        },
    )
    assert resp.status_code == 302
    role = member.roles.get()
    assert role.granted_by == admin_member
    resp = client.post(
        f"/units/{tree['branch'].pk}/roles/{role.pk}/end/", {"reason": "Moved away"}
    )
    role.refresh_from_db()
    assert role.ended_at is not None
    assert role.end_reason == "Moved away"


def test_member_cannot_grant_roles_on_the_page(client, tree, member, password):
    client.login(username=member.username, password=password)
    assert (
        "Grant a role"
        not in client.get(f"/units/{tree['branch'].pk}/").content.decode()
    )
    resp = client.post(
        f"/units/{tree['branch'].pk}/roles/grant/",
        {
            "username": member.username,
            "role": "admin",
            "starts": "2026-01-01",
            "ends": "2030-01-01",
            "reason": "me",
        },
    )
    assert resp.status_code == 403
    assert not member.roles.exists()


def test_grant_with_bad_input_grants_nothing(client, tree, admin_member, password):
    client.login(username=admin_member.username, password=password)
    resp = client.post(
        f"/units/{tree['branch'].pk}/roles/grant/",
        {
            "username": "nobody-here",
            "role": "facilitator",
            "starts": "2026-01-01",
            "ends": "2025-01-01",
            "reason": "",
        },
        follow=True,
    )
    html = resp.content.decode()
    assert "No member has that username." in html
    assert admin_member.roles.count() == 1  # only the fixture's admin role
