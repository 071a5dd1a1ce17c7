from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "deliberation.audit"
    label = "audit"
    verbose_name = _("Public audit log")

    def ready(self) -> None:
        from .personal_data import register

        register()
