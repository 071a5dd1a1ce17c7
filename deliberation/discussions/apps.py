from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "deliberation.discussions"
    label = "discussions"
    verbose_name = _("Discussions")

    def ready(self):
        from django.db.models import Q

        from deliberation.celery import add_beat_entry

        from .models import ThreadKind
        from .subjects import register_subject_rule

        # A unit's own discussion is open to every member (transparency, DESIGN §1).
        register_subject_rule(
            ThreadKind.UNIT,
            can_read=lambda viewer, thread: True,
            visible_filter=lambda viewer: Q(),
            is_public=lambda thread: True,
        )

        from deliberation.notifications.needs_action import (
            register_needs_action_provider,
        )

        from . import audit, needs_action

        register_needs_action_provider("reply", needs_action.replies_to_answer)
        register_needs_action_provider("session", needs_action.sessions_to_join)
        register_needs_action_provider("flag", needs_action.flags_to_review)
        register_needs_action_provider("appeal", needs_action.appeals_to_decide)
        from .personal_data import register as register_personal_data

        register_personal_data()

        from deliberation.search.registry import register_search_provider

        from . import search

        register_search_provider(
            "thread",
            label=_("Discussions"),
            matches=search.thread_matches,
            hits=search.thread_hits,
            order=20,
            singular=_("Discussion"),
        )
        register_search_provider(
            "comment",
            label=_("Comments"),
            matches=search.comment_matches,
            hits=search.comment_hits,
            order=30,
            singular=_("Comment"),
        )

        audit.register()

        add_beat_entry(
            "discussions-announce-live-sessions",
            "discussions.announce_live_sessions",
            30.0,
        )
