"""Demo party: national level, 3 districts, 6 municipalities, 12 branches,
300 members and the personas listed in the README. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from deliberation.demo import register_seeder

from .models import Member, RoleAssignment, Unit, UnitKind
from .services import add_membership, create_unit, grant_role

TREE = {
    ("Stockholms distrikt", "stockholm"): {
        ("Stockholms kommun", "stockholm-kommun"): ["Södermalm", "Kungsholmen"],
        ("Solna kommun", "solna"): ["Solna centrum", "Råsunda"],
    },
    ("Västra Götalands distrikt", "vastra-gotaland"): {
        ("Göteborgs kommun", "goteborg"): ["Majorna", "Hisingen"],
        ("Borås kommun", "boras"): ["Borås centrum", "Norrby"],
    },
    ("Skåne distrikt", "skane"): {
        ("Malmö kommun", "malmo"): ["Möllevången", "Limhamn"],
        ("Lunds kommun", "lund"): ["Lund centrum", "Norra Fäladen"],
    },
}

FIRST = [
    "Alva",
    "Elias",
    "Maja",
    "Liam",
    "Ella",
    "Noah",
    "Wilma",
    "Hugo",
    "Alice",
    "Oscar",
    "Saga",
    "William",
    "Freja",
    "Lucas",
    "Ebba",
    "Adam",
    "Astrid",
    "Ali",
    "Selma",
    "Nils",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Hansson",
    "Lindberg",
]

PERSONAS = [
    # username, full name, branch code, superuser
    ("admin", "Admin Adminsson", "sodermalm", True),
    ("anna", "Anna Andersson", "sodermalm", False),
    ("bo", "Bo Bengtsson", "sodermalm", False),
    ("cecilia", "Cecilia Carlsson", "kungsholmen", False),
    ("david", "David Dahl", "majorna", False),
]


def _slug(name: str) -> str:
    table = str.maketrans(
        {"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", " ": "-"}
    )
    return name.translate(table).lower()


def _unit(name, code, kind, parent):
    existing = Unit.objects.filter(code=code).first()
    return existing or create_unit(name=name, code=code, kind=kind, parent=parent)


def seed_units() -> list[Unit]:
    national = _unit(
        "Partiet — riksorganisationen", "national", UnitKind.NATIONAL, None
    )
    branches = []
    for (dname, dcode), municipalities in TREE.items():
        district = _unit(dname, dcode, UnitKind.DISTRICT, national)
        for (mname, mcode), branch_names in municipalities.items():
            municipality = _unit(mname, mcode, UnitKind.MUNICIPALITY, district)
            for bname in branch_names:
                branches.append(
                    _unit(
                        f"{bname} lokalavdelning",
                        _slug(bname),
                        UnitKind.BRANCH,
                        municipality,
                    )
                )
    return branches


@register_seeder(order=10)
def seed(stdout=None) -> str:
    branches = seed_units()
    password = make_password(settings.TORGET["DEMO_PASSWORD"])
    by_code = {u.code: u for u in Unit.objects.all()}
    joined = date(2024, 1, 15)
    created = 0
    for i, (username, full_name, branch, superuser) in enumerate(PERSONAS):
        member, new = Member.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@example.org",
                "password": password,
                "is_superuser": superuser,
                "is_staff": superuser,
                "member_number": f"D{i:04d}",
            },
        )
        created += new
        add_membership(member=member, unit=by_code[branch], since=joined)
    for n in range(1, 301):
        username = f"member{n:03d}"
        member, new = Member.objects.get_or_create(
            username=username,
            defaults={
                "full_name": f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}",
                "email": f"{username}@example.org",
                "password": password,
                "member_number": f"{100000 + n}",
            },
        )
        created += new
        add_membership(
            member=member,
            unit=branches[(n - 1) % len(branches)],
            since=joined + timedelta(days=n),
        )
    _seed_roles(by_code)
    units, members = Unit.objects.count(), Member.objects.count()
    return f"{units} units, {members} members ({created} new)"


def _seed_roles(by_code) -> None:
    if RoleAssignment.objects.exists():
        return
    now = timezone.now()
    term = (now - timedelta(days=30), now + timedelta(days=365 * 2))
    members = {
        m.username: m
        for m in Member.objects.filter(username__in=["admin", "bo", "cecilia", "david"])
    }
    for username, role, code, reason in [
        ("admin", "admin", "national", "Founding administrator of the demo party."),
        (
            "bo",
            "facilitator",
            "sodermalm",
            "Elected facilitator at the branch meeting.",
        ),
        (
            "cecilia",
            "moderator",
            "stockholm",
            "Elected moderator by the district meeting.",
        ),
        ("david", "delegate", "goteborg", "Elected congress delegate for Göteborg."),
    ]:
        grant_role(
            actor=None,
            member=members[username],
            unit=by_code[code],
            role=role,
            starts=term[0],
            ends=term[1],
            reason=reason,
        )
