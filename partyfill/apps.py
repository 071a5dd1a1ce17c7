from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyFillConfig(AppConfig):
    name = "partyfill"
    verbose_name = _("Party-scale data")
