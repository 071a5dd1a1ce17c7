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
