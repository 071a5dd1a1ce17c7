"""Moderation as members and moderators meet it: the flag form says once who sees a
flag; moderators find their queue on the home page and in the menu; for everyone
else the menu item is the public log it leads to."""

from __future__ import annotations

import pytest

from deliberation.discussions.services import appeal_hiding, flag_comment, hide_comment

pytestmark = pytest.mark.django_db


def sv(client):
    client.cookies["django_language"] = "sv"
    return client


def test_the_flag_form_says_once_who_sees_the_flag(client, member, comment):
    client.force_login(member)
    html = client.get(f"/comments/{comment.pk}/flag/").content.decode()
    assert "Only the moderators of this unit see your flag" in html
    assert "The reason is public" not in html
    assert "Only they see flags" not in html
    hide = client.get(f"/comments/{comment.pk}/hide/")
    assert hide.status_code == 403  # a member: flagging is theirs, hiding is not


def test_the_flag_is_seen_by_the_moderators_only(
    client, member, other_member, comment, moderator, api_for
):
    flag_comment(comment=comment, member=member, reason="Hemlig flaggning")
    for viewer in (other_member, member):  # the author, and a member who reads it
        client.force_login(viewer)
        for url in ("/moderation/", comment.thread.get_absolute_url(), "/audit/"):
            assert "Hemlig flaggning" not in client.get(url).content.decode(), url
    assert api_for(other_member).get("/api/v1/flags/").json()["count"] == 0
    client.force_login(moderator)
    assert "Hemlig flaggning" in client.get("/moderation/").content.decode()
    flags = api_for(moderator).get("/api/v1/flags/").json()["results"]
    assert flags[0]["flagged_by"]["id"] == member.pk


def test_moderators_see_on_their_home_page_that_flags_wait(
    client, member, other_member, comment, moderator, moderator2
):
    flag_comment(comment=comment, member=member, reason="Otrevligt")
    client.force_login(moderator)
    html = sv(client).get("/").content.decode()
    assert "Väntar på dig som moderator" in html
    assert "1 flaggad kommentar" in html
    assert 'href="/moderation/"' in html
    assert 'class="count-badge">1<' in html  # the menu says it too
    hide_comment(comment=comment, moderator=moderator, reason="Otrevligt")
    appeal_hiding(comment=comment, author=other_member, reason="Inte alls")
    client.force_login(moderator2)  # another moderator decides the appeal
    html = sv(client).get("/").content.decode()
    assert "1 överklagande att avgöra" in html
    client.force_login(member)
    html = sv(client).get("/").content.decode()
    assert "Väntar på dig som moderator" not in html


def test_the_menu_names_the_moderation_log_for_members_and_the_queue_for_moderators(
    client, member, moderator
):
    client.force_login(member)
    html = sv(client).get("/moderation/").content.decode()
    assert ">Modereringslogg</a>" in html
    assert "Din kö och loggen" not in html
    client.force_login(moderator)
    html = sv(client).get("/moderation/").content.decode()
    assert ">Moderering</a>" in html
    assert "Inget väntar på dig" in html
    client.logout()
    assert ">Modereringslogg</a>" in sv(client).get("/").content.decode()
