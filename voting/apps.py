from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        from deliberation.celery import add_beat_entry
        from proposals import hooks

        from .hooks import proposal_entered_voting

        hooks.on_voting_started(proposal_entered_voting)
        add_beat_entry("voting-sweep", "voting.sweep", 30.0)
        add_beat_entry("voting-remind-closing", "voting.remind_closing", 300.0)

        from . import notifying

        notifying.register()

        from .personal_data import register as register_personal_data

        register_personal_data()

        from deliberation.notifications.needs_action import (
            register_needs_action_provider,
        )

        from .needs_action import polls_to_vote_in

        register_needs_action_provider("vote", polls_to_vote_in)

        from deliberation.search.registry import register_search_provider

        from . import search

        register_search_provider(
            "poll",
            label=_("Votes"),
            matches=search.poll_matches,
            hits=search.poll_hits,
            order=40,
            singular=_("Vote"),
        )
