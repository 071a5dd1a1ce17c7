"""The Atom feed of new proposals and the proposal block of the unit page
(frontend/feed.py). The home page shows what needs the member's action instead
(frontend/views/needs_action.py)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from deliberation.inputs import query_int
from proposals import selectors
from proposals.models import Proposal

from .proposal_display import with_cards


class ProposalFeed(Feed):
    """Atom feed of newly published proposals, `?unit=` and `?topic=` narrow it.
    Public like the teaser pages: titles, units and links, not the texts."""

    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return {
            "unit": query_int(request.GET, "unit"),
            "topic": query_int(request.GET, "topic"),
        }

    def title(self, obj):
        return _("New proposals on Torget")

    def link(self, obj):
        return reverse("proposal_list")

    def subtitle(self, obj):
        return _("Proposals published by members")

    def items(self, obj):
        qs = (
            Proposal.objects.published()
            .select_related("unit")
            .prefetch_related("topics")
        )
        if obj["unit"]:
            qs = qs.filter(unit_id=obj["unit"])
        if obj["topic"]:
            qs = qs.filter(topics__id=obj["topic"])
        return qs.order_by("-published_at", "-id")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return _("%(state)s · %(unit)s") % {
            "state": item.get_state_display(),
            "unit": item.unit.name,
        }

    def item_link(self, item):
        return reverse("proposal_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at or item.created

    def item_updateddate(self, item):
        return item.updated

    def item_categories(self, item):
        return [t.name for t in item.topics.all()]


def unit_section(request, unit):
    if not request.user.is_authenticated:
        return None
    items = with_cards(
        selectors.list_proposals(viewer=request.user, unit=unit.pk, subunits=True)[:6]
    )
    return {"template": "proposals/_section.html", "items": items, "unit": unit}
