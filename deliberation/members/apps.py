from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "deliberation.members"
    label = "members"
    verbose_name = _("Members and units")

    def ready(self):
        # `<id:pk>` in every URLconf, HTTP and websocket: ids are range-checked before
        # a view sees them (deliberation/inputs.py). The first app to be ready
        # registers it, before any URLconf is imported.
        from deliberation.inputs import IdConverter

        register_converter(IdConverter, "id")

        from deliberation.celery import add_beat_entry

        from .member_data import register

        register()
        add_beat_entry("members-erase-due", "members.erase_due_members", 60.0)
        add_beat_entry(
            "members-prune-personal-data", "members.prune_personal_data", 3600.0
        )

        from . import audit

        audit.register()
