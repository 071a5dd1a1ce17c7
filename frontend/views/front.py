"""The front page for a visitor: what Torget is, how the party works on it, what is
happening now (public at teaser level: titles, units, states) and how to join."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from proposals.selectors import public_overview, public_proposals


def visitor_section(request):
    if request.user.is_authenticated:
        return None
    return {"template": "front/_visitor.html", **public_overview()}


def public_proposal_list(request):
    """/proposals/ for a visitor: every published proposal's title, unit and state
    (the teaser rule, docs/permissions.md), and what signing in adds."""
    page = Paginator(public_proposals(), 50).get_page(request.GET.get("page"))
    return render(request, "proposals/public_list.html", {"page": page})
