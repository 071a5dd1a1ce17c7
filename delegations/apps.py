from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deliberation.celery import add_beat_entry

        from . import notices, personal_data

        notices.register()
        personal_data.register()

        add_beat_entry(
            "delegations-remind-expiring", "delegations.remind_expiring", 3600.0
        )
