"""Demo data is found by autodiscovery: each app's demo.py registers its seeders."""

from deliberation.demo import discover_seeders


def test_every_installed_app_brings_its_seeders_in_order():
    names = [s.name for s in discover_seeders()]
    assert names.index("deliberation.members.demo") < names.index("proposals.demo")
    assert names.index("proposals.demo") < names.index("deliberation.discussions.demo")
    # Comments on proposal threads come after the discussions' own seeder.
    assert names.index("deliberation.discussions.demo") < names.index(
        "proposals.demo.comments"
    )


def test_discovering_twice_registers_each_seeder_once():
    assert [s.name for s in discover_seeders()] == [s.name for s in discover_seeders()]
