"""`{% load members %}{{ someone|member_link }}`: a member's name linked to their
profile (`/members/{id}/`), escaped; "—" for nobody."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.filter
def member_link(member):
    if member is None or not getattr(member, "pk", None):
        return "—"
    return format_html(
        '<a href="{}" class="member-link">{}</a>',
        reverse("member_detail", args=[member.pk]),
        member.display_name,
    )
