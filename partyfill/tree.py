"""The party: units (through `create_unit`), members and memberships (COPY), public
roles (through `grant_role`, so each is in the audit log), topics, and one district
whose own rules use open ballots (through `set_unit_policy`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password

from deliberation.audit.models import AuditEntry
from deliberation.members.models import Member, Membership, Role, Unit, UnitKind
from deliberation.members.services import create_unit, grant_role
from proposals.models import Policy, Topic
from proposals.services import set_unit_policy

from . import text
from .copying import bulk_load, copy_rows, reserve_ids

USERNAME = "member{:06d}"  # member000001 …; the first member is "admin"
EMAIL_DOMAIN = "example.org"


@dataclass
class Party:
    """What later steps need to know about the filled tree, in memory."""

    now: datetime
    start: datetime  # the filled history begins here
    national: Unit
    units: dict[int, Unit]
    branches: list[Unit]
    member_ids: np.ndarray  # every member id, ascending
    names: dict[int, tuple[str, str]]  # id → (username, full name)
    # unit id → ids of the members with a current membership in its subtree
    subtree: dict[int, np.ndarray] = field(default_factory=dict)
    # member id → their current branch ids (ascending)
    branches_of: dict[int, list[int]] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    admin_id: int = 0
    open_ballot_unit: Unit | None = None
    # thread id → its events before the comments: (at, type, object id, JSON data)
    thread_events: dict[int, list[tuple[datetime, str, str, str]]] = field(
        default_factory=dict
    )

    def ancestors(self, unit_id: int) -> list[int]:
        return self.units[unit_id].ancestor_ids


def _sizes(members: int) -> tuple[int, int]:
    districts = min(21, max(3, members // 5000))
    municipalities = min(290, max(2 * districts, members // 350))
    return districts, municipalities


def build_units(rng: random.Random, members: int) -> tuple[Unit, list[Unit]]:
    districts, municipalities = _sizes(members)
    national = create_unit(
        name="Partiet — riksorganisationen", code="pf-national", kind="national"
    )
    used: set[str] = set()

    def code(prefix: str, name: str) -> str:
        base = f"pf-{prefix}-" + text.slug(name)
        candidate, n = base[:60], 2
        while candidate in used:
            candidate, n = f"{base[:56]}-{n}", n + 1
        used.add(candidate)
        return candidate

    district_units = []
    for name in text.REGIONS[:districts]:
        label = f"{name.replace('-', ' ')}s distrikt"
        district_units.append(
            create_unit(
                name=label, code=code("d", name), kind="district", parent=national
            )
        )
    branches: list[Unit] = []
    for i in range(municipalities):
        district = district_units[i % districts]
        name = text.place(rng)
        municipality = create_unit(
            name=f"{name} kommun",
            code=code("m", name),
            kind=UnitKind.MUNICIPALITY,
            parent=district,
        )
        tails = rng.sample(text.BRANCH_TAILS, rng.choice((1, 2, 2, 3)))
        for tail in tails:
            label = f"{name} {tail}" if len(tails) > 1 else name
            branches.append(
                create_unit(
                    name=f"{label} lokalavdelning",
                    code=code("b", label),
                    kind=UnitKind.BRANCH,
                    parent=municipality,
                )
            )
    return national, branches


def _day(moment: datetime) -> date:
    return moment.date()


def build_members(
    party: Party, rng: random.Random, nrng: np.random.Generator, count: int
) -> dict[str, int]:
    """COPY the members and their memberships: one branch each (branches of
    lognormal sizes), 3 % in a second branch, 2 % with an earlier membership that
    ended. One password hash for all (hashing 100,000 would take an hour)."""
    password = make_password(settings.TORGET["DEMO_PASSWORD"])
    first = reserve_ids(Member, count)
    ids = np.arange(first, first + count, dtype=np.int64)
    weights = nrng.lognormal(0.0, 0.6, len(party.branches))
    home = nrng.choice(len(party.branches), size=count, p=weights / weights.sum())
    span = (party.now - party.start).days
    joined = party.now - timedelta(days=1)
    rows: list[tuple] = []
    memberships: list[tuple[int, int, date, date | None]] = []
    for n, member_id in enumerate(ids.tolist()):
        given, family = text.person(rng)
        username = "admin" if n == 0 else USERNAME.format(n)
        full_name = "Admin Adminsson" if n == 0 else f"{given} {family}"
        since = party.start + timedelta(days=int(span * rng.random() ** 1.5))
        since = min(since, joined)
        party.names[member_id] = (username, full_name)
        rows.append(
            (
                member_id,
                password,
                None,
                n == 0,
                username,
                given,
                family,
                f"{username}@{EMAIL_DOMAIN}",
                n == 0,
                True,
                since,
                f"P{n:07d}",
                full_name,
                None,
                rng.choice(("sv", "sv", "sv", "en", "")),
                None,
            )
        )
        branch = party.branches[int(home[n])].pk
        mine = [branch]
        memberships.append((member_id, branch, _day(since), None))
        roll = rng.random()
        if roll < 0.03:
            other = rng.choice(party.branches).pk
            if other != branch:
                later = since + (joined - since) * rng.random()
                memberships.append((member_id, other, _day(later), None))
                mine.append(other)
        elif roll < 0.05:
            other = rng.choice(party.branches).pk
            if other != branch:
                began = party.start - timedelta(days=rng.randint(30, 900))
                memberships.append((member_id, other, _day(began), _day(since)))
        party.branches_of[member_id] = sorted(mine)
    with bulk_load(Member, Membership):
        copy_rows(Member, MEMBER_COLUMNS, rows)
        copy_rows(Membership, ["member_id", "unit_id", "since", "until"], memberships)
    party.member_ids = ids
    party.admin_id = int(ids[0])
    _index_subtrees(party)
    return {"members": len(rows), "memberships": len(memberships)}


MEMBER_COLUMNS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "member_number",
    "full_name",
    "invited_at",
    "language",
    "erased_at",
]


def _index_subtrees(party: Party) -> None:
    by_unit: dict[int, list[int]] = {pk: [] for pk in party.units}
    for member_id, branch_ids in party.branches_of.items():
        seen: set[int] = set()
        for branch_id in branch_ids:
            for unit_id in party.ancestors(branch_id):
                if unit_id not in seen:
                    seen.add(unit_id)
                    by_unit[unit_id].append(member_id)
    party.subtree = {
        pk: np.array(sorted(ids), dtype=np.int64) for pk, ids in by_unit.items()
    }


def build_roles(party: Party, rng: random.Random) -> dict[str, int]:
    """Public roles through the service (each is an audit entry): an administrator
    for the party, a moderator for every district and municipality, a facilitator
    for every branch, two congress delegates per district, and a few earlier terms
    that have ended."""
    admin = Member.objects.get(pk=party.admin_id)
    grant_role(
        actor=None,
        member=admin,
        unit=party.national,
        role=Role.ADMIN,
        starts=party.start,
        ends=party.now + timedelta(days=730),
        reason="Förtroendevald administratör för partiet (testdata).",
    )
    count = 1
    term = (party.now - timedelta(days=200), party.now + timedelta(days=530))
    plan: list[tuple[Unit, str, int]] = []
    for unit in party.units.values():
        if unit.kind in (UnitKind.DISTRICT, UnitKind.MUNICIPALITY):
            plan.append((unit, Role.MODERATOR, 1))
        if unit.kind == UnitKind.DISTRICT:
            plan.append((unit, Role.DELEGATE, 2))
        if unit.kind == UnitKind.BRANCH:
            plan.append((unit, Role.FACILITATOR, 1))
    members: dict[int, Member] = {}
    for unit, role, n in plan:
        pool = party.subtree.get(unit.pk)
        if pool is None or len(pool) == 0:
            continue
        for member_id in rng.sample(pool.tolist(), min(n, len(pool))):
            member = members.get(member_id) or Member.objects.get(pk=member_id)
            members[member_id] = member
            grant_role(
                actor=admin,
                member=member,
                unit=unit,
                role=role,
                starts=term[0],
                ends=term[1],
                reason="Vald av årsmötet (testdata).",
            )
            count += 1
            if rng.random() < 0.1:  # an earlier term, ended
                grant_role(
                    actor=admin,
                    member=member,
                    unit=unit,
                    role=role,
                    starts=term[0] - timedelta(days=730),
                    ends=term[0] - timedelta(days=1),
                    reason="Vald av årsmötet (testdata, tidigare mandatperiod).",
                )
                count += 1
    return {"roles": count}


def build_topics(party: Party) -> dict[str, int]:
    for name, slug in text.TOPICS:
        topic, _new = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        party.topics.append(topic)
    return {"topics": len(party.topics)}


def build_policies(party: Party) -> dict[str, int]:
    """The second district decides with open ballots (its own first rules, set by
    the administrator through the service); everything else keeps the default
    (secret ballots). Dated from the start of the filled history, like the party."""
    districts = [u for u in party.units.values() if u.kind == UnitKind.DISTRICT]
    if len(districts) < 2:
        return {"policies": 0}
    unit = districts[1]
    admin = Member.objects.get(pk=party.admin_id)
    policy = set_unit_policy(
        actor=admin, unit=unit, reason="Öppna omröstningar i distriktet.", ballot="open"
    )
    Policy.objects.filter(pk=policy.pk).update(effective_from=party.start)
    AuditEntry.objects.filter(action="policy.updated", target_id=str(policy.pk)).update(
        at=party.start
    )
    party.open_ballot_unit = unit
    return {"policies": 1}
