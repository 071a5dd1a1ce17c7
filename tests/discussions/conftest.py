import pytest

from deliberation.discussions.services import create_thread, post_comment
from tests.factories import MemberFactory, give_role


@pytest.fixture
def thread(tree, member):
    return create_thread(
        title="Should we open a library branch?", unit=tree["branch"], actor=member
    )


@pytest.fixture
def moderator(tree):
    m = MemberFactory(units=[tree["branch2"]])
    give_role(m, tree["district"], "moderator")
    return m


@pytest.fixture
def moderator2(tree):
    m = MemberFactory(units=[tree["branch2"]])
    give_role(m, tree["municipality"], "moderator")
    return m


@pytest.fixture
def facilitator(tree):
    m = MemberFactory(units=[tree["branch"]])
    give_role(m, tree["branch"], "facilitator")
    return m


@pytest.fixture
def comment(thread, other_member):
    return post_comment(
        thread=thread, author=other_member, body="I am **for** it.", stance="for"
    )
