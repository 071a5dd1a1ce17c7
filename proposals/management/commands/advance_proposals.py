from django.core.management.base import BaseCommand

from proposals.services import advance_due_proposals


class Command(BaseCommand):
    help = (
        "Move proposals whose phase has ended (what the Celery beat task does every "
        "minute). Idempotent; safe beside a running beat."
    )

    def handle(self, *args, **options):
        steps = advance_due_proposals()
        self.stdout.write(f"{steps} scheduled state change(s).")
