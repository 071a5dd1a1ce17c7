import pytest

from deliberation.discussions.services import create_thread, post_comment


@pytest.fixture
def thread(tree, member):
    return create_thread(
        title="Ett bibliotek i byn?", unit=tree["branch"], actor=member
    )


@pytest.fixture
def comment(thread, member):
    return post_comment(thread=thread, author=member, body="Jag är för.", stance="for")


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run the code, then what it handed over after commit (the eager Celery of
    make run and of the tests)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
