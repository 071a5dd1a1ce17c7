"""The pages without JavaScript: the list with unread, marking read, the header
badge count, and the preferences on /settings/."""

import pytest

from deliberation.discussions.services import post_comment
from deliberation.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, member):
    client.force_login(member)
    return client


def _reply(deliver, comment, author, body="Svar"):
    return deliver(
        post_comment, thread=comment.thread, author=author, body=body, parent=comment
    )


def test_list_badge_and_mark_read(page, deliver, comment, other_member, member):
    _reply(deliver, comment, other_member, "Ett")
    _reply(deliver, comment, other_member, "Två")
    html = page.get("/notifications/").content.decode()
    assert html.count('class="notif is-unread"') == 2
    assert "<span data-unread-count>2</span>" in html
    first = Notification.objects.filter(recipient=member).order_by("id").first()
    r = page.post("/notifications/read/", {"id": first.pk})
    assert r.status_code == 302
    html = page.get("/notifications/?unread=1").content.decode()
    assert html.count('class="notif is-unread"') == 1
    assert "<span data-unread-count>1</span>" in html
    page.post("/notifications/read/", {"all": "1"})
    assert "<span data-unread-count>0</span>" in page.get("/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get("/notifications/")
    assert r.status_code == 302
    assert "/accounts/login/" in r["Location"]


def test_preferences_form_on_settings(page, member):
    html = page.get("/settings/").content.decode()
    assert 'name="kind-reply"' in html
    assert 'id="notification-settings"' in html
    r = page.post("/settings/notifications/", {"kind-reply": "weekly"})
    assert r.status_code == 302
    assert NotificationPreference.objects.get(member=member, kind="reply").channel == (
        "weekly"
    )
    r = page.post("/settings/notifications/", {"kind-reply": "loud"}, follow=True)
    assert NotificationPreference.objects.get(member=member, kind="reply").channel == (
        "weekly"
    )


def test_swedish_page(page, deliver, comment, other_member):
    _reply(deliver, comment, other_member)
    html = page.get("/notifications/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "svarade dig" in html
