"""Secrecy, as a test: 40 members vote in a known order in a secret ranked poll;
a program given the database (rows in physical order with ctid and xmin, read
before a pg_dump, and the dump itself), the logs, the task payloads and the frames
tries to match voters to ballots. It must do no better than chance.

Each voter casts a different ranking, so a ballot identifies its voter if the
program can place it; by chance a guess matches about 1 of 40 (P(≥ 6) < 0.001)."""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess

import pytest
from django.db import connection

from deliberation.discussions.models import ThreadEvent
from tests.voting.conftest import past_close
from voting import sealing, services
from voting.models import BulletinBallot, Participation, PendingBallot, VoterRoll

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="ctid, xmin and pg_dump are PostgreSQL's",
    ),
]
CHANCE_LIMIT = 5


def _rows(sql: str, poll_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [poll_id])
        return cursor.fetchall()


def _matches(guessed: list[str], truth: list[str]) -> int:
    return sum(g == t for g, t in zip(guessed, truth, strict=False))


def test_nobody_can_link_a_voter_to_a_ballot(advisory, member, voters, caplog):
    caplog.set_level(logging.DEBUG)
    poll = advisory(method="schulze", options=["A", "B", "C", "D", "E"])
    people = [member, *voters(39)]
    VoterRoll.objects.bulk_create([VoterRoll(poll=poll, member=p) for p in people[1:]])
    ids = [o.pk for o in poll.questions.get().options.order_by("position")]
    rankings = [list(p) for p in itertools.islice(itertools.permutations(ids), 40)]
    truth = [",".join(map(str, r)) for r in rankings]  # voter i cast truth[i]
    receipts = []
    for person, ranking in zip(people, rankings, strict=True):  # the known order
        receipts.append(
            services.cast_ballot(
                poll=poll, member=person, payload={"ranking": ranking}
            ).receipt
        )

    # During the vote: the sealed rows say nothing readable, and all have one size.
    pending = _rows(
        "SELECT ctid, xmin::text, lookup, sealed FROM voting_pendingballot "
        "WHERE poll_id = %s ORDER BY ctid",
        poll.pk,
    )
    assert len({len(bytes(r[3])) for r in pending}) == 1
    for row in pending:
        for t in truth:
            assert t.encode() not in bytes(row[3])
    assert {r[2] for r in pending}.isdisjoint(
        {sealing.receipt_hash(r) for r in receipts}
    )

    services.close_poll(poll=past_close(poll))

    # After the close: what the program gets.
    voters_in_order = [
        r[0]
        for r in _rows(
            "SELECT member_id FROM voting_participation "
            "WHERE poll_id = %s ORDER BY ctid",
            poll.pk,
        )
    ]
    assert voters_in_order == [p.pk for p in people]  # participations are not secret
    bulletin = _rows(
        "SELECT ctid, xmin::text, id::text, answers FROM voting_bulletinballot "
        "WHERE poll_id = %s ORDER BY ctid",
        poll.pk,
    )
    assert len(bulletin) == 40
    assert len({r[1] for r in bulletin}) == 1  # one transaction: xmin says nothing
    participation_xmins = {
        r[0]
        for r in _rows(
            "SELECT xmin::text FROM voting_participation WHERE poll_id = %s", poll.pk
        )
    }
    assert bulletin[0][1] not in participation_xmins
    by_ctid = [r[3] for r in bulletin]
    by_id = [r[3] for r in sorted(bulletin, key=lambda r: r[2])]
    assert _matches(by_ctid, truth) <= CHANCE_LIMIT
    assert _matches(by_ctid[::-1], truth) <= CHANCE_LIMIT
    assert _matches(by_id, truth) <= CHANCE_LIMIT
    assert not PendingBallot.objects.filter(poll=poll).exists()
    poll.refresh_from_db()
    assert poll.seal_salt is None  # leftover sealed rows could not be opened

    # pg_dump: rows come out in physical order — the same guess, no better.
    db = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
            "-U", db["USER"], "--data-only", "-t", "voting_bulletinballot", db["NAME"],
        ],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    lines = dump.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("COPY "))
    columns = [c.strip() for c in lines[header].split("(")[1].split(")")[0].split(",")]
    rows = [line.split("\t") for line in lines[header + 1 : lines.index("\\.")]]
    dumped = [
        r[columns.index("answers")]
        for r in rows
        if r[columns.index("poll_id")] == str(poll.pk)
    ]
    assert len(dumped) == 40
    assert _matches(dumped, truth) <= CHANCE_LIMIT

    # The tables hold no member, no timestamp and no sequence for a secret ballot.
    for model in (PendingBallot, BulletinBallot):
        kinds = {f.get_internal_type() for f in model._meta.concrete_fields}
        assert not kinds & {"DateTimeField", "DateField", "BigAutoField", "AutoField"}
    assert not {f.name for f in PendingBallot._meta.concrete_fields} & {
        "member",
        "voter",
    }
    assert not BulletinBallot.objects.filter(poll=poll, voter__isnull=False).exists()

    # Logs and frames (the stored events are exactly what the sockets send) carry
    # counts only: no receipt, no receipt hash, no answers, no voter.
    secrets_ = [*receipts, *(sealing.receipt_hash(r) for r in receipts), *truth]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    frames = json.dumps([e.as_message() for e in ThreadEvent.objects.all()])
    for secret in secrets_:
        assert secret not in logged
        assert secret not in frames
    assert Participation.objects.filter(poll=poll).count() == 40
