"""Demo: a branch proposal that climbed to its municipality (docs/flat.md, "Ideas
climb"). Written in Kungsholmen, supported through the service by members of
Kungsholmen and of its sibling branch Södermalm until both branches and the
municipality's own quorum carried it up to Stockholms kommun; the supports are then
spread over the ten days since it was published, so the spread chart has a shape.
Idempotent: found by its title. Registered from `proposals/demo.py`."""

from __future__ import annotations

from datetime import timedelta

from deliberation.audit.models import AuditEntry
from deliberation.demo import register_seeder
from deliberation.members.models import Member, Membership, Unit

from . import services
from .models import Climb, Proposal, StateChange, Support

TITLE = "Nattbussar till alla stadsdelar"
CLAUSES = [
    "att kommunen inför nattbussar fredag och lördag till alla stadsdelar",
    "att partiet driver frågan i trafiknämnden",
]
BODY = (
    "Började som ett förslag i Kungsholmen. Medlemmar på Södermalm ville ha samma "
    "sak, och med stöd från båda avdelningarna klättrade det till kommunen."
)


def _members(unit: Unit, exclude: set[int]) -> list[Member]:
    ids = (
        Membership.objects.current()
        .filter(unit=unit)
        .exclude(member_id__in=exclude)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    return list(Member.objects.filter(pk__in=list(ids)).order_by("pk"))


@register_seeder(order=90, name="proposals.demo.climb")
def seed(stdout=None) -> str:
    units = {
        u.code: u for u in Unit.objects.filter(code__in=["kungsholmen", "sodermalm"])
    }
    if len(units) < 2:
        return "skipped (seed members first)"
    if Proposal.objects.filter(title=TITLE).exists():
        return "a climbed proposal exists"
    home, sibling = units["kungsholmen"], units["sodermalm"]
    locals_ = _members(home, set())
    if not locals_:
        return "skipped (no members in Kungsholmen)"
    author = locals_[0]
    proposal = services.create_proposal(
        actor=author,
        title=TITLE,
        body=BODY,
        clauses=CLAUSES,
        unit=home,
        publish=True,
    )
    # Both branches side by side, Södermalm first, until it climbs.
    queue: list[Member] = []
    others = _members(sibling, {author.pk})
    rest = locals_[1:]
    for i in range(max(len(others), len(rest))):
        queue += others[i : i + 1] + rest[i : i + 1]
    for member in queue:
        proposal = services.support_proposal(proposal=proposal, member=member)
        if Climb.objects.filter(proposal=proposal).exists():
            break
    climb = Climb.objects.filter(proposal=proposal).first()
    _spread_over_days(proposal, climb, days=10)
    state = Proposal.objects.get(pk=proposal.pk)
    where = "climbed" if climb else "did not climb"
    return f"{TITLE!r} {where} to {state.unit.name} ({state.support_count} supporters)"


def _spread_over_days(proposal: Proposal, climb: Climb | None, *, days: int) -> None:
    """Date the story in order: published `days` ago, each support a little after
    the one before, and whatever a support set off (the discussion, the climb, their
    audit entries) with the support that set it off."""
    proposal = Proposal.objects.get(pk=proposal.pk)
    published = (proposal.published_at or proposal.created) - timedelta(days=days)
    supports = list(Support.objects.filter(proposal=proposal).order_by("created", "id"))
    step = timedelta(days=days - 1) / max(1, len(supports))
    moved = [(s.created, published + step * (i + 1)) for i, s in enumerate(supports)]

    def remap(at):
        new = published
        for old, when in moved:
            if old <= at:
                new = when
        return new

    for support, (_old, when) in zip(supports, moved, strict=True):
        Support.objects.filter(pk=support.pk).update(created=when)
    for change in StateChange.objects.filter(proposal=proposal):
        StateChange.objects.filter(pk=change.pk).update(at=remap(change.at))
    for entry in AuditEntry.objects.filter(
        target_type=Proposal._meta.label_lower, target_id=str(proposal.pk)
    ):
        AuditEntry.objects.filter(pk=entry.pk).update(at=remap(entry.at))
    fields: dict = {
        "published_at": published,
        "created": published - timedelta(hours=1),
    }
    if proposal.discussion_started_at:
        fields["discussion_started_at"] = remap(proposal.discussion_started_at)
    if climb is not None:
        new_at = remap(climb.at)
        Climb.objects.filter(pk=climb.pk).update(at=new_at)
        if proposal.phase_ends:  # the discussion runs its full length from the climb
            fields["phase_ends"] = proposal.phase_ends - (climb.at - new_at)
    Proposal.objects.filter(pk=proposal.pk).update(**fields)
