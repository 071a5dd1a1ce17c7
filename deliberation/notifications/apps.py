from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "deliberation.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from deliberation.celery import add_beat_entry

        from .core_kinds import register_core_kinds
        from .rules import register_core_rules
        from .targets import register_core_targets

        register_core_targets()
        register_core_rules()
        register_core_kinds()
        add_beat_entry(
            "notifications-sweep",
            "notifications.sweep",
            settings.NOTIFICATION_SWEEP_SECONDS,
        )

        from .personal_data import register as register_personal_data

        register_personal_data()
        add_beat_entry("notifications-digest", "notifications.digest_tick", 60.0)
