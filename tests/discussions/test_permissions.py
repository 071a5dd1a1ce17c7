import pytest
from django.contrib.auth.models import AnonymousUser

from deliberation.discussions import permissions as perms
from tests.factories import MemberFactory, give_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree, member, outsider, moderator, facilitator):
    return {
        "member": member,
        "outsider": outsider,
        "moderator": moderator,
        "facilitator": facilitator,
        "no_membership": MemberFactory(),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize(
    ("who", "read", "post", "moderate", "session"),
    [
        ("member", True, True, False, False),
        ("outsider", True, False, False, False),  # reads everything, posts at home
        (
            "moderator",
            True,
            False,
            True,
            False,
        ),  # moderates the district, lives elsewhere
        ("facilitator", True, True, False, True),
        ("no_membership", False, False, False, False),
        ("anonymous", False, False, False, False),
    ],
)
def test_role_matrix(people, thread, who, read, post, moderate, session):
    person = people[who]
    assert perms.can_read_thread(person, thread) is read
    assert perms.can_post_in_thread(person, thread) is post
    assert perms.can_moderate(person, thread) is moderate
    assert perms.can_run_live_session(person, thread.unit) is session


def test_branch_member_posts_in_ancestor_units_not_siblings(tree, member):
    from deliberation.discussions.services import create_thread

    for unit, allowed in [
        ("national", True),
        ("district", True),
        ("municipality", True),
        ("branch", True),
        ("branch2", False),
    ]:
        t = create_thread(title=unit, unit=tree[unit])
        assert perms.can_post_in_thread(member, t) is allowed, unit


def test_expired_role_holds_no_power(tree, thread):
    from datetime import timedelta

    from django.utils import timezone

    from deliberation.members.models import Member, RoleAssignment

    m = MemberFactory(units=[tree["branch"]])
    role = give_role(m, tree["branch"], "moderator")
    now = timezone.now()
    RoleAssignment.objects.filter(pk=role.pk).update(
        starts=now - timedelta(days=700), ends=now - timedelta(days=300)
    )
    assert perms.can_moderate(Member.objects.get(pk=m.pk), thread) is False


def test_moderation_is_not_facilitation(tree, thread, moderator):
    assert perms.can_run_live_session(moderator, thread.unit) is False
    give_role(moderator, tree["branch"], "facilitator")
    assert perms.can_run_live_session(moderator, thread.unit) is True


def test_appeal_needs_another_moderator(comment, moderator, moderator2, other_member):
    from deliberation.discussions.services import appeal_hiding, hide_comment

    hide_comment(comment=comment, moderator=moderator, reason="x")
    appeal = appeal_hiding(comment=comment, author=other_member, reason="y")
    assert perms.can_decide_appeal(moderator, appeal, comment.thread) is False
    assert perms.can_decide_appeal(moderator2, appeal, comment.thread) is True


# --- moderators never decide about their own comments ------------------------------


@pytest.fixture
def moderating_member(tree):
    """A moderator of the district who is also a member of the branch (may post)."""
    m = MemberFactory(units=[tree["branch"]])
    give_role(m, tree["district"], "moderator")
    return m


def test_moderator_cannot_hide_or_restore_own_comment(
    api_for, thread, moderating_member, moderator
):
    from deliberation.discussions.services import post_comment

    own = post_comment(thread=thread, author=moderating_member, body="Mine")
    api = api_for(moderating_member)
    hide = api.post(f"/api/v1/comments/{own.pk}/hide/", {"reason": "mine"})
    assert hide.status_code == 403
    assert (
        api_for(moderator)
        .post(f"/api/v1/comments/{own.pk}/hide/", {"reason": "Off topic"})
        .status_code
        == 200
    )
    restore = api.post(f"/api/v1/comments/{own.pk}/restore/", {"reason": "mine"})
    assert restore.status_code == 403
    own.refresh_from_db()
    assert own.hidden
    assert perms.can_moderate_comment(moderating_member, own) is False
    assert perms.can_moderate_comment(moderator, own) is True


def test_moderator_cannot_grant_own_appeal(
    api_for, thread, moderating_member, moderator, moderator2
):
    from deliberation.discussions.models import Appeal
    from deliberation.discussions.services import post_comment

    own = post_comment(thread=thread, author=moderating_member, body="Mine")
    api_for(moderator).post(f"/api/v1/comments/{own.pk}/hide/", {"reason": "No"})
    api = api_for(moderating_member)
    appeal = api.post(f"/api/v1/comments/{own.pk}/appeal/", {"reason": "Unfair"})
    assert appeal.status_code == 201
    aid = appeal.json()["id"]
    decide = {"outcome": "granted", "reason": "I agree with myself"}
    assert api.post(f"/api/v1/appeals/{aid}/decide/", decide).status_code == 403
    own.refresh_from_db()
    assert own.hidden
    assert not perms.can_decide_appeal(
        moderating_member, Appeal.objects.get(pk=aid), thread
    )
    decide["reason"] = "Restored"
    assert (
        api_for(moderator2).post(f"/api/v1/appeals/{aid}/decide/", decide).status_code
        == 200
    )
    own.refresh_from_db()
    assert not own.hidden


def test_the_database_refuses_an_appeal_decided_by_its_author(
    comment, moderator, other_member
):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from deliberation.discussions.services import appeal_hiding, hide_comment

    hide_comment(comment=comment, moderator=moderator, reason="No")
    appeal = appeal_hiding(comment=comment, author=other_member, reason="Please")
    appeal.decided_by = other_member
    appeal.decided = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        appeal.save()


def test_page_offers_no_hide_link_on_own_comment(client, thread, moderating_member):
    from deliberation.discussions.services import post_comment

    own = post_comment(thread=thread, author=moderating_member, body="Mine")
    client.force_login(moderating_member)
    html = client.get(f"/threads/{thread.pk}/").content.decode()
    assert f"/comments/{own.pk}/hide/" not in html
    assert client.get(f"/comments/{own.pk}/hide/").status_code == 403


# --- a draft's thread: mentions, moderation records --------------------------------


def test_mention_in_a_draft_thread_reaches_only_its_readers(tree, member, other_member):
    from deliberation.discussions.models import Mention
    from deliberation.discussions.services import post_comment
    from proposals.services import create_proposal

    coauthor = MemberFactory(units=[tree["branch"]])
    draft = create_proposal(
        actor=member,
        title="Hemligt utkast",
        body="",
        clauses=[],
        unit=tree["branch"],
        coauthors=[coauthor],
        publish=False,
    )
    comment = post_comment(
        thread=draft.thread,
        author=member,
        body=f"@{other_member.username} @{coauthor.username} titta",
    )
    assert list(
        Mention.objects.filter(comment=comment).values_list("member", flat=True)
    ) == [coauthor.pk]


def test_moderation_in_a_draft_thread_keeps_the_title_out_of_public_logs(
    tree, member, api_for, anon_client
):
    from deliberation.audit.models import AuditEntry
    from deliberation.discussions.services import hide_comment, post_comment
    from proposals.services import create_proposal

    author_moderator = MemberFactory(units=[tree["branch"]])
    give_role(author_moderator, tree["district"], "moderator")
    draft = create_proposal(
        actor=author_moderator,
        title="Hemligt utkast om bibliotek",
        body="",
        clauses=[],
        unit=tree["branch"],
        coauthors=[member],
        publish=False,
    )
    comment = post_comment(thread=draft.thread, author=member, body="Olämpligt")
    hide_comment(comment=comment, moderator=author_moderator, reason="Olämpligt")
    assert "Hemligt" not in " ".join(
        AuditEntry.objects.values_list("summary", flat=True)
    )
    outsider = MemberFactory(units=[tree["branch2"]])
    log = api_for(outsider).get("/api/v1/moderation-log/").json()
    assert log["count"] == 0
    assert anon_client.get("/api/v1/moderation-log/").json()["count"] == 0
    assert api_for(member).get("/api/v1/moderation-log/").json()["count"] == 1
