from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.discussions.services import (
    create_thread,
    delete_comment,
    hide_comment,
    post_comment,
)
from proposals import services as proposal_services
from tests.factories import MemberFactory, give_role
from voting import services as voting_services


@pytest.fixture
def moderator(tree):
    m = MemberFactory(units=[tree["branch2"]])
    give_role(m, tree["district"], "moderator")
    return m


@pytest.fixture
def corpus(tree, member, other_member, moderator):
    """One of each kind about bicycles (cykel…), plus what must never be found."""

    def proposal(title, *, body="", clauses=(), publish=True, author=member):
        return proposal_services.create_proposal(
            actor=author,
            title=title,
            body=body,
            clauses=list(clauses),
            unit=tree["branch"],
            publish=publish,
        )

    out = {
        "proposal": proposal(
            "Fler cykelbanor i Stockholm",
            body="Cyklister behöver säkra vägar till skolan.",
            clauses=["att partiet verkar för cykelbanor"],
        ),
        "body_only": proposal(
            "Trafiksäkerhet vid skolor", body="Även cykelbanor hjälper barnen."
        ),
        "draft": proposal("Hemligt utkast om cykelbanor", publish=False),
    }
    thread = create_thread(
        title="Cykelbanor på Götgatan?", unit=tree["branch"], actor=member
    )
    out["thread"] = thread
    out["comment"] = post_comment(
        thread=thread,
        author=other_member,
        body="Jag tycker att <script>alert(1)</script> cykelbanorna behövs.",
        stance="for",
    )
    hidden = post_comment(
        thread=thread, author=other_member, body="Dolda cykelbanor zebra hemlis"
    )
    hide_comment(comment=hidden, moderator=moderator, reason="Personangrepp")
    out["hidden"] = hidden
    deleted = post_comment(
        thread=thread, author=other_member, body="Raderad cykelbana zebra"
    )
    delete_comment(comment=deleted, actor=other_member)
    out["deleted"] = deleted
    draft_thread = out["draft"].thread
    out["draft_comment"] = post_comment(
        thread=draft_thread, author=member, body="Utkastkommentar om zebra cykelbanor"
    )
    out["poll"] = voting_services.create_advisory_poll(
        actor=member,
        unit=tree["branch"],
        thread=thread,
        question="Ska vi måla cykelbanor röda?",
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(hours=2),
    )
    return out
