from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

# Each area seeds its own demo data, in this order; every seeder is idempotent.
SEEDERS = [
    "deliberation.members.demo",
    "proposals.demo",
    "deliberation.discussions.demo",
    "voting.demo",
    "deliberation.notifications.demo",
    "congress.demo",
]


class Command(BaseCommand):
    help = "Load the demo party (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        for dotted in SEEDERS:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name and dotted.startswith(exc.name):
                    continue  # that area has no demo data (yet)
                raise
            with transaction.atomic():
                result = module.seed(stdout=self.stdout)
            self.stdout.write(f"{dotted}: {result or 'ok'}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Personas sign in with "
                f"{settings.TORGET['DEMO_PASSWORD']!r}."
            )
        )
