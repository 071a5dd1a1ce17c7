from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from deliberation.demo import discover_seeders


class Command(BaseCommand):
    help = "Load the demo party (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        # Each installed app's demo.py registers its seeders (deliberation/demo.py).
        for seeder in discover_seeders():
            with transaction.atomic():
                result = seeder.seed(stdout=self.stdout)
            self.stdout.write(f"{seeder.name}: {result or 'ok'}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Personas sign in with "
                f"{settings.TORGET['DEMO_PASSWORD']!r}."
            )
        )
