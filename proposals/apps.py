from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from deliberation.celery import add_beat_entry

        # The default policy exists once the tables do (and again after a test flush).
        post_migrate.connect(_ensure_default_policy, sender=self)

        add_beat_entry("proposals-advance-schedule", "proposals.advance_schedule", 60.0)
        add_beat_entry(
            "proposals-record-lapsed-rules", "proposals.record_lapsed_rules", 3600.0
        )

        from deliberation.discussions.models import ThreadKind
        from deliberation.discussions.subjects import register_subject_rule
        from deliberation.notifications.models import FollowTarget
        from deliberation.notifications.targets import register_follow_target

        from . import audit, climb_notices, permissions

        audit.register()
        climb_notices.register()

        register_subject_rule(
            ThreadKind.PROPOSAL,
            can_read=permissions.can_read_proposal_thread,
            visible_filter=permissions.readable_proposal_threads,
            related=("proposal",),
            is_public=permissions.is_public_proposal_thread,
        )
        register_subject_rule(
            ThreadKind.AMENDMENT,
            can_read=permissions.can_read_amendment_thread,
            visible_filter=permissions.readable_amendment_threads,
            related=("amendment__proposal",),
            is_public=permissions.is_public_amendment_thread,
        )
        register_follow_target(
            FollowTarget.PROPOSAL,
            model="proposals.Proposal",
            can_follow=permissions.can_read_proposal,
        )
        register_follow_target(FollowTarget.TOPIC, model="proposals.Topic")

        from .personal_data import register as register_personal_data

        register_personal_data()

        from . import notifying

        notifying.register()

        from deliberation.notifications.needs_action import (
            register_needs_action_provider,
        )

        from . import needs_action

        register_needs_action_provider("support", needs_action.proposals_to_support)
        register_needs_action_provider("coauthor", needs_action.coauthor_invitations)
        register_needs_action_provider("amendment", needs_action.amendments_to_decide)

        from deliberation.search.registry import register_search_provider

        from . import search

        register_search_provider(
            "proposal",
            label=_("Proposals"),
            matches=search.proposal_matches,
            hits=search.proposal_hits,
            order=10,
            singular=_("Proposal"),
        )


def _ensure_default_policy(*, using: str = "default", **kwargs) -> None:
    from .services import ensure_default_policy

    ensure_default_policy(using=using)
