"""Blocks that areas contribute to the home feed and the unit page.

Each entry is a dotted path to `fn(request[, unit]) -> dict | None` returning
`{"template": ..., **context}`. Areas append their own (proposals, discussions, ...).
"""

from django.utils.module_loading import import_string

HOME_SECTIONS: list[str] = [
    "frontend.views.front.visitor_section",
    "frontend.sections.moderation_waiting",
    "frontend.views.needs_action.home_block",
    "frontend.views.discussions.home_block",
    "frontend.sections.my_units",
    "frontend.sections.recent_audit",
]
UNIT_SECTIONS: list[str] = [
    "frontend.views.proposal_feed.unit_section",
    "frontend.views.discussions.unit_block",
]


def _collect(paths, *args):
    out = []
    for dotted in paths:
        block = import_string(dotted)(*args)
        if block:
            out.append(block)
    return out


def home_sections(request):
    return _collect(HOME_SECTIONS, request)


def unit_sections(request, unit):
    return _collect(UNIT_SECTIONS, request, unit)
