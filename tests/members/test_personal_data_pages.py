"""/settings/data/: the member downloads their data and deletes their account, with
what stays and what goes said before they confirm. Works without JavaScript."""

from __future__ import annotations

import pytest
from django.test import Client

from deliberation.members.models import DataExport, ErasureRequest, Member
from deliberation.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _exports_dir(settings, tmp_path):
    settings.DATA_EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def browser(member):
    client = Client()
    client.force_login(member)
    return client


def test_the_page_says_what_stays_and_what_goes_before_confirming(browser):
    html = browser.get("/settings/data/").content.decode()
    assert "What stays" in html
    assert "What goes" in html
    assert "roll-call votes as a delegate stay with your name" in html
    assert "a former member" in html
    assert 'name="confirm"' in html
    assert 'name="password"' in html
    assert "/settings/data/" in browser.get("/settings/").content.decode()


def test_anonymous_is_sent_to_sign_in(db):
    resp = Client().get("/settings/data/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_prepare_a_download_then_download_it_and_get_notified(
    browser, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resp = browser.post("/settings/data/export/")
    assert resp.status_code == 302
    export = DataExport.objects.get(member=member)
    assert export.state == "ready"
    html = browser.get("/settings/data/").content.decode()
    assert f"/api/v1/me/export/{export.pk}/download/" in html
    download = browser.get(f"/api/v1/me/export/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert Notification.objects.filter(recipient=member, kind="export_ready").exists()


def test_delete_with_the_wrong_password_is_refused_on_the_page(browser, member):
    resp = browser.post("/settings/data/delete/", {"password": "nope", "confirm": "on"})
    assert resp.status_code == 400
    assert "Wrong password." in resp.content.decode()
    assert not ErasureRequest.objects.exists()


def test_delete_without_confirming_is_refused(browser, password):
    resp = browser.post("/settings/data/delete/", {"password": password})
    assert resp.status_code == 400
    assert not ErasureRequest.objects.exists()


def test_delete_is_scheduled_then_cancelled_on_the_page(
    browser, member, password, settings
):
    settings.ERASURE_GRACE_DAYS = 7
    resp = browser.post(
        "/settings/data/delete/",
        {"password": password, "confirm": "on"},
        follow=True,
    )
    assert "will be erased on" in resp.content.decode()
    assert ErasureRequest.objects.filter(member=member).exists()
    resp = browser.post("/settings/data/delete/cancel/", follow=True)
    assert "cancelled" in resp.content.decode()
    assert not ErasureRequest.objects.exists()


def test_with_no_grace_period_the_page_erases_and_signs_out(
    browser, member, password, settings
):
    settings.ERASURE_GRACE_DAYS = 0
    resp = browser.post(
        "/settings/data/delete/", {"password": password, "confirm": "on"}
    )
    assert resp.status_code == 302
    assert Member.objects.get(pk=member.pk).erased_at is not None
    assert browser.get("/settings/data/").status_code == 302  # signed out
