from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "deliberation.discussions"
    label = "discussions"
    verbose_name = _("Discussions")

    def ready(self):
        from deliberation.celery import add_beat_entry

        add_beat_entry(
            "discussions-announce-live-sessions",
            "discussions.announce_live_sessions",
            30.0,
        )
