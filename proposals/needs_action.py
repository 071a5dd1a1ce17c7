""" "Needs my action" for proposals (deliberation/notifications/needs_action.py):

* `support` — a proposal gathering support in one of the member's units (or a unit
  above them) that the member has not supported yet and may support, when it is
  near its admission quorum (three quarters there, or at most two supports
  missing) or its support period ends within the window; its authors are not
  asked;
* `coauthor` — an invitation to co-author a proposal that is still open to edits;
* `amendment` — an open amendment to a proposal the member writes, waiting for the
  authors to take it in (until the proposal freezes).

One query each.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.members.permissions import scope_unit_ids_of
from deliberation.notifications.needs_action import ActionItem

from .models import (
    EDITABLE_STATES,
    SUPPORTABLE_STATES,
    Amendment,
    AmendmentState,
    Proposal,
    ProposalAuthor,
    State,
    Support,
)

NEAR_MISSING = 2


def proposals_to_support(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    units = scope_unit_ids_of(member)
    if not units:
        return []
    proposals = (
        Proposal.objects.published()
        .filter(
            state=State.GATHERING_SUPPORT,
            unit_id__in=units,
            support_needed__gt=0,
            support_count__lt=F("support_needed"),
        )
        .filter(Q(phase_ends__isnull=True) | Q(phase_ends__gt=now))
        .alias(
            have=F("support_count") * 4,
            near=F("support_needed") * 3,
            missing=F("support_needed") - F("support_count"),
        )
        .filter(
            Q(have__gte=F("near"))
            | Q(missing__lte=NEAR_MISSING)
            | Q(phase_ends__lte=until)
        )
        .exclude(Exists(Support.objects.filter(proposal=OuterRef("pk"), member=member)))
        .exclude(
            Exists(
                ProposalAuthor.objects.filter(proposal=OuterRef("pk"), member=member)
            )
        )
        .only("id", "title", "support_count", "support_needed", "phase_ends")
        .order_by("phase_ends", "id")
    )
    out = []
    for p in proposals:
        missing = p.support_needed - p.support_count
        out.append(
            ActionItem(
                kind="support",
                deadline=p.phase_ends,
                action=ngettext(
                    "Support — %(n)d more needed",
                    "Support — %(n)d more needed",
                    missing,
                )
                % {"n": missing},
                title=p.title,
                url=f"/proposals/{p.pk}/",
                object_type="proposal",
                object_id=p.pk,
                extra={"missing": missing},
            )
        )
    return out


def coauthor_invitations(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    invitations = (
        ProposalAuthor.objects.filter(
            member=member,
            accepted_at__isnull=True,
            proposal__state__in=EDITABLE_STATES,
        )
        .select_related("proposal")
        .only("id", "proposal__id", "proposal__title", "proposal__state")
        .order_by("invited_at", "id")
    )
    return [
        ActionItem(
            kind="coauthor",
            deadline=None,
            action=_("Accept or decline the invitation to co-author"),
            title=a.proposal.title,
            url=f"/proposals/{a.proposal.pk}/",
            object_type="proposal",
            object_id=a.proposal.pk,
        )
        for a in invitations
    ]


def amendments_to_decide(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    amendments = (
        Amendment.objects.filter(
            state=AmendmentState.OPEN,
            proposal__state__in=SUPPORTABLE_STATES,
            proposal__published_at__isnull=False,
        )
        .filter(
            Exists(
                ProposalAuthor.objects.filter(
                    proposal=OuterRef("proposal"),
                    member=member,
                    accepted_at__isnull=False,
                )
            )
        )
        .exclude(author=member)
        .select_related("proposal")
        .only(
            "id",
            "proposal__id",
            "proposal__title",
            "proposal__state",
            "proposal__phase_ends",
        )
        .order_by("created", "id")
    )
    out = []
    for a in amendments:
        p = a.proposal
        out.append(
            ActionItem(
                kind="amendment",
                # The authors can take it in until the proposal freezes.
                deadline=p.phase_ends if p.state == State.DISCUSSION else None,
                action=_("Accept or leave amendment #%(n)d") % {"n": a.pk},
                title=p.title,
                url=f"/proposals/{p.pk}/amendments/{a.pk}/",
                object_type="amendment",
                object_id=a.pk,
            )
        )
    return out
