from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from deliberation.celery import add_beat_entry

        add_beat_entry("proposals-advance-schedule", "proposals.advance_schedule", 60.0)
