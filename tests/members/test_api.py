from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.audit.models import AuditEntry
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db


def test_token_then_me_shows_memberships_and_roles(anon_client, member, tree, password):
    give_role(member, tree["branch"], "facilitator")
    resp = anon_client.post(
        "/api/v1/auth/token/",
        {"username": member.username, "password": password},
        format="json",
    )
    assert resp.status_code == 200
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    me = anon_client.get("/api/v1/me/").json()
    assert me["username"] == member.username
    assert [m["unit"]["id"] for m in me["memberships"]] == [tree["branch"].pk]
    assert me["roles"][0]["role"] == "facilitator"


def test_token_wrong_password_is_400_json(anon_client, member):
    resp = anon_client.post(
        "/api/v1/auth/token/",
        {"username": member.username, "password": "nope"},
        format="json",
    )
    assert resp.status_code == 400
    assert "detail" in resp.json()


def test_token_locks_after_repeated_failures(anon_client, member, password):
    for _ in range(5):
        anon_client.post(
            "/api/v1/auth/token/",
            {"username": member.username, "password": "wrong"},
            format="json",
        )
    resp = anon_client.post(
        "/api/v1/auth/token/",
        {"username": member.username, "password": password},
        format="json",
    )
    assert resp.status_code == 429
    assert "Too many" in resp.json()["detail"]


def test_token_missing_fields_names_them(anon_client, db):
    resp = anon_client.post("/api/v1/auth/token/", {}, format="json")
    assert resp.status_code == 400
    assert set(resp.json()) >= {"username", "password"}


def test_me_patch_saves_name_and_language_but_never_the_email(api, member):
    old_email = member.email
    resp = api.patch(
        "/api/v1/me/",
        {"full_name": "  Ny Namn ", "language": "sv", "email": "evil@example.org"},
        format="json",
    )
    assert resp.status_code == 200
    assert resp.json()["full_name"] == "Ny Namn"
    assert resp.json()["email"] == old_email
    member.refresh_from_db()
    assert (member.full_name, member.language, member.email) == (
        "Ny Namn",
        "sv",
        old_email,
    )


def test_me_patch_refuses_an_unknown_language(api, member):
    resp = api.patch("/api/v1/me/", {"language": "xx"}, format="json")
    assert resp.status_code == 400
    assert "language" in resp.json()
    member.refresh_from_db()
    assert member.language == ""


def test_me_requires_authentication(anon_client, db):
    assert anon_client.get("/api/v1/me/").status_code == 401


def test_units_list_is_a_tree_with_counts_and_roles(
    anon_client, tree, member, other_member, outsider, django_assert_max_num_queries
):
    give_role(member, tree["branch"], "facilitator")
    with django_assert_max_num_queries(6):
        units = anon_client.get("/api/v1/units/").json()["results"]
    by_id = {u["id"]: u for u in units}
    branch = by_id[tree["branch"].pk]
    assert branch["parent"] == tree["municipality"].pk
    assert branch["member_count"] == 2
    assert by_id[tree["municipality"].pk]["member_count"] == 3
    assert set(by_id[tree["municipality"].pk]["children"]) == {
        tree["branch"].pk,
        tree["branch2"].pk,
    }
    assert branch["roles"][0]["role"] == "facilitator"
    nested = anon_client.get("/api/v1/units/?tree=1").json()
    assert nested[0]["kind"] == "national"
    assert nested[0]["children"][0]["children"][0]["children"]


def test_units_list_query_count_does_not_grow(
    anon_client, tree, django_assert_num_queries
):
    from tests.factories import make_tree

    with django_assert_num_queries(5) as ctx:  # count, units, roles, children, counts
        anon_client.get("/api/v1/units/")
    make_tree()
    make_tree()
    with django_assert_num_queries(len(ctx.captured_queries)):
        anon_client.get("/api/v1/units/")


def test_admin_grants_and_ends_role_publicly(api_for, admin_member, member, tree):
    api = api_for(admin_member)
    now = timezone.now()
    resp = api.post(
        "/api/v1/roles/",
        {
            "member": member.pk,
            "unit": tree["branch"].pk,
            "role": "moderator",
            "starts": now.isoformat(),
            "ends": (now + timedelta(days=90)).isoformat(),
            "reason": "Elected at the annual meeting",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    role_id = resp.json()["id"]
    listed = api_for(member).get(f"/api/v1/roles/?unit={tree['branch'].pk}").json()
    assert role_id in [r["id"] for r in listed["results"]]
    resp = api.post(
        f"/api/v1/roles/{role_id}/end/", {"reason": "Stepped down"}, format="json"
    )
    assert resp.status_code == 200
    log = api_for(member).get("/api/v1/audit-log/").json()["results"]
    actions = [(e["action"], e["reason"]) for e in log]
    assert ("role.granted", "Elected at the annual meeting") in actions
    assert ("role.ended", "Stepped down") in actions
    assert AuditEntry.objects.filter(actor=admin_member).count() == 2


def test_member_cannot_grant_roles(api, member, tree):
    now = timezone.now()
    resp = api.post(
        "/api/v1/roles/",
        {
            "member": member.pk,
            "unit": tree["branch"].pk,
            "role": "admin",
            "starts": now.isoformat(),
            "ends": (now + timedelta(days=9)).isoformat(),
            "reason": "power grab",
        },
        format="json",
    )
    assert resp.status_code == 403
    assert "detail" in resp.json()


def test_role_grant_validates_input(api_for, admin_member, tree):
    now = timezone.now()
    resp = api_for(admin_member).post(
        "/api/v1/roles/",
        {
            "member": 999999,
            "unit": tree["branch"].pk,
            "role": "king",
            "starts": now.isoformat(),
            "ends": (now - timedelta(days=1)).isoformat(),
            "reason": "",
        },
        format="json",
    )
    assert resp.status_code == 400
    assert {"member", "role", "reason"} <= set(resp.json())


def test_ended_role_is_no_longer_listed_as_current(api_for, admin_member, tree):
    holder = MemberFactory(units=[tree["branch"]])
    role = give_role(holder, tree["branch"], "moderator")
    api_for(admin_member).post(
        f"/api/v1/roles/{role.pk}/end/", {"reason": "term over"}, format="json"
    )
    current = api_for(holder).get("/api/v1/roles/").json()["results"]
    assert role.pk not in [r["id"] for r in current]


def test_api_unknown_path_is_json_404(api):
    resp = api.get("/api/v1/does-not-exist/")
    assert resp.status_code == 404
    assert resp.json()["detail"]


def test_openapi_schema_and_docs(anon_client, db):
    assert anon_client.get("/api/schema/").status_code == 200
    assert anon_client.get("/api/docs/").status_code == 200


def test_every_collection_is_paginated_the_same_way(api, tree):
    for path in [
        "/api/v1/units/",
        "/api/v1/topics/",
        "/api/v1/roles/",
        "/api/v1/audit-log/",
    ]:
        body = api.get(path).json()
        assert set(body) >= {"count", "next", "previous", "results"}, path
    page = api.get("/api/v1/units/?page_size=2").json()
    assert len(page["results"]) == 2
    assert page["next"]
