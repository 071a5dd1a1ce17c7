"""Factories for tests. Units are made through the service so their tree path is
right."""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.services import add_membership, create_unit, grant_role

PASSWORD = "test-pass-2026"
_codes = itertools.count(1)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="sv_SE")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or []:
            add_membership(member=self, unit=unit)
        if create:
            self.save()


def make_tree() -> dict[str, Unit]:
    """national > district > municipality > two branches."""
    n = next(_codes)
    national = Unit.objects.filter(kind=UnitKind.NATIONAL).first() or create_unit(
        name="Partiet", code=f"nat-{n}", kind=UnitKind.NATIONAL
    )
    district = create_unit(
        name=f"Distrikt {n}", code=f"d-{n}", kind=UnitKind.DISTRICT, parent=national
    )
    municipality = create_unit(
        name=f"Kommun {n}", code=f"m-{n}", kind=UnitKind.MUNICIPALITY, parent=district
    )
    branch = create_unit(
        name=f"Avdelning {n}a",
        code=f"b-{n}a",
        kind=UnitKind.BRANCH,
        parent=municipality,
    )
    branch2 = create_unit(
        name=f"Avdelning {n}b",
        code=f"b-{n}b",
        kind=UnitKind.BRANCH,
        parent=municipality,
    )
    return {
        "national": national,
        "district": district,
        "municipality": municipality,
        "branch": branch,
        "branch2": branch2,
    }


def give_role(member, unit, role, *, days=365):
    now = timezone.now()
    return grant_role(
        actor=None,
        member=member,
        unit=unit,
        role=role,
        starts=now - timedelta(days=1),
        ends=now + timedelta(days=days),
        reason="test",
    )
