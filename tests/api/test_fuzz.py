"""The API fuzzed from its own OpenAPI schema (issue 7 §3): schemathesis reads
`/api/schema/` and sends generated requests — valid and invalid — to every operation,
as a signed-in member (token) and anonymously, through the WSGI application gunicorn
serves, against PostgreSQL. Every answer must be a non-5xx that the schema documents
(status, content type, body, headers).

New endpoints are covered as soon as they are in the schema. Seeded (derandomized)
and bounded: `FUZZ_EXAMPLES` examples per operation and phase (README "Tests";
raise it locally with `FUZZ_EXAMPLES=200 make test PYTEST_ARGS=tests/api`).

Generated ids rarely exist, so most ids in paths and bodies are mapped onto a small
world of real objects (`World.remap`) before the call: the requests reach the code
behind the 404s as well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from deliberation.discussions.services import (
    create_thread,
    flag_comment,
    post_comment,
    schedule_live_session,
)
from deliberation.notifications.services import follow
from proposals.models import Topic
from proposals.services import create_amendment, create_proposal
from tests.factories import MemberFactory, give_role, make_tree

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = 20261201

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",  # valid and invalid requests
            "max-examples": FUZZ_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        # Every other built-in check runs (no 5xx, status codes, content types,
        # response bodies and headers as documented, ...). Two are off:
        # * positive_data_acceptance: a schema-valid request may break a rule JSON
        #   Schema cannot state — a wrong password, an id of nothing, flagging your own
        #   comment, a revision that does not exist — and gets the documented 400.
        # * negative_data_rejection: DRF coerces compatible scalars by design ("5" for
        #   an integer, 0 for a string) and form bodies carry only strings, so
        #   "invalid" bodies are often rightly accepted. Query parameters are strict
        #   anyway (deliberation/inputs.py), which this check helped find.
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"enabled": False},
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


@dataclass
class World:
    """Real objects for generated ids to land on: `ids[resource]`."""

    token: str
    ids: dict[str, list[int]] = field(default_factory=dict)

    # the path segment (or body field) → the kind of object its id names
    SEGMENTS = {
        "proposals": "proposal",
        "amendments": "amendment",
        "threads": "thread",
        "comments": "comment",
        "units": "unit",
        "roles": "role",
        "live-sessions": "session",
        "appeals": "appeal",
        "follows": "follow",
        "congresses": "congress",
        "items": "congress_item",
        "delegates": "delegate",
    }
    FIELDS = {
        "unit": "unit",
        "thread": "thread",
        "parent": "comment",
        "topics": "topic",
        "topic": "topic",
        "author": "member",
        "member": "member",
        "coauthors": "member",
        "alternative_to": "proposal",
        "target_id": "proposal",
        "clause": "clause",
    }

    def pick(self, kind: str, value):
        """Three of four valid ids become a real one (the fourth stays as drawn)."""
        ids = self.ids.get(kind)
        if not ids or isinstance(value, bool) or not isinstance(value, int):
            return value
        if value % 4 == 0:
            return value
        return ids[value % len(ids)]

    def remap(self, case) -> None:
        segments = [s for s in case.path.split("/") if s]
        for name, value in list((case.path_parameters or {}).items()):
            placeholder = "{" + name + "}"
            if placeholder in segments:
                index = segments.index(placeholder)
                kind = self.SEGMENTS.get(segments[index - 1]) if index else None
                if kind:
                    case.path_parameters[name] = self.pick(kind, value)
        for source in (case.query, case.body):
            if isinstance(source, dict):
                for key, value in list(source.items()):
                    kind = self.FIELDS.get(key)
                    if kind is None:
                        continue
                    if isinstance(value, list):
                        source[key] = [self.pick(kind, v) for v in value]
                    else:
                        source[key] = self.pick(kind, value)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django's WSGI handler closes the database connection after each request (the
    test client switches that off too): keep the test's transaction open."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, wsgi_keeps_the_test_connection) -> World:
    tree = make_tree()
    member = MemberFactory(units=[tree["branch"]])
    other = MemberFactory(units=[tree["branch"]])
    give_role(member, tree["branch"], "facilitator")
    topic = Topic.objects.create(slug="fuzz", name="Fuzz")
    published = create_proposal(
        actor=other,
        title="Fler cykelbanor",
        body="Text.",
        clauses=["att bygga", "att underhålla"],
        unit=tree["branch"],
        topics=[topic],
        publish=True,
    )
    draft = create_proposal(
        actor=member, title="Mitt utkast", body="Text.", unit=tree["branch"]
    )
    amendment = create_amendment(
        proposal=published, actor=member, replacement="Bättre text."
    )
    thread = create_thread(title="Bibliotek", unit=tree["branch"], actor=other)
    theirs = post_comment(thread=thread, author=other, body="Jag är för.")
    mine = post_comment(thread=thread, author=member, body="Jag med.", parent=theirs)
    flag_comment(comment=theirs, member=member, reason="Testflagga")
    now = timezone.now()
    session = schedule_live_session(
        unit=tree["branch"],
        facilitator=member,
        title="Möte",
        starts=now + timedelta(days=1),
        ends=now + timedelta(days=1, hours=1),
    )
    followed, _ = follow(member=member, target_kind="proposal", target_id=published.pk)
    congress, item, delegate = _congress_world(tree, member, published)
    return World(
        token=Token.objects.create(user=member).key,
        ids={
            "proposal": [published.pk, draft.pk],
            "amendment": [amendment.pk],
            "thread": [thread.pk, published.thread_id],
            "comment": [theirs.pk, mine.pk],
            "unit": [u.pk for u in tree.values()],
            "topic": [topic.pk],
            "member": [member.pk, other.pk],
            "role": list(member.roles.values_list("pk", flat=True)),
            "session": [session.pk],
            "follow": [followed.pk],
            "congress": [congress.pk],
            "congress_item": [item.pk],
            "delegate": [delegate.pk],
            "clause": list(item.clauses.values_list("pk", flat=True)),
        },
    )


def _congress_world(tree, member, proposal):
    """A congress in session with one item; the fuzzing member is its delegate."""
    from congress import services as congress_services
    from congress.models import Route
    from congress.services.forwarding import forward_proposal

    admin = MemberFactory(units=[tree["branch"]])
    give_role(admin, tree["national"], "admin")
    now = timezone.now()
    congress = congress_services.create_congress(
        actor=admin,
        name="Fuzzkongress",
        starts=timezone.localdate() - timedelta(days=1),
        ends=timezone.localdate() + timedelta(days=1),
        window_opens=now - timedelta(days=1),
        items_deadline=now + timedelta(days=1),
    )
    delegate = congress_services.record_delegate(
        actor=admin,
        congress=congress,
        member=member,
        unit=tree["district"],
        chosen="vald av årsmötet",
    )
    item = forward_proposal(
        congress=congress, proposal=proposal, route=Route.SUPPORT, at=now
    )
    return congress, item, delegate


@pytest.mark.parametrize("identity", ["member", "anonymous"])
@schema.parametrize()
@settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    deadline=None,
)
def test_no_operation_answers_5xx_or_off_schema(case, identity, world):
    world.remap(case)
    headers = {"Authorization": f"Token {world.token}"} if identity == "member" else {}
    case.call_and_validate(headers=headers)
