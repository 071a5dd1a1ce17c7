from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A policy area (e.g. climate, housing) that proposals are filed under."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name
