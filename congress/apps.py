from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = _("Congress")

    def ready(self) -> None:
        from deliberation.celery import add_beat_entry
        from deliberation.discussions.models import ThreadKind
        from deliberation.discussions.subjects import register_subject_rule
        from proposals import hooks as proposal_hooks

        from . import hooks, permissions

        proposal_hooks.on_state_changed(hooks.proposal_state_changed)
        proposal_hooks.on_support_counted(hooks.proposal_support_counted)
        register_subject_rule(
            ThreadKind.CONGRESS,
            can_read=permissions.can_read_item_thread,
            visible_filter=permissions.readable_item_threads,
            related=("congress_item__proposal",),
            is_public=permissions.is_public_item_thread,
        )
        add_beat_entry("congress-sweep", "congress.sweep", 60.0)
        hooks.register_notifications()

        from .personal_data import register as register_personal_data

        register_personal_data()

        from deliberation.search.registry import register_search_provider

        from . import search

        register_search_provider(
            "congress_item",
            label=_("Congress items"),
            matches=search.item_matches,
            hits=search.item_hits,
            order=45,
        )
