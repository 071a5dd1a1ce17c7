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
