"""Reads for proposals: tuned querysets with a fixed number of queries per page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.errors import NotFound
from deliberation.members.models import Unit
from deliberation.members.viewer import Viewer, signed_in
from deliberation.notifications.models import Follow
from deliberation.search.text import words_of

from .models import (
    OPEN_STATES,
    Amendment,
    Policy,
    Proposal,
    ProposalAuthor,
    Revision,
    State,
    StateChange,
    Support,
)
from .search import apply_search, title_query, uses_postgres

ORDERINGS: dict[str, tuple[str | OrderBy, str]] = {
    "newest": ("-created", "-id"),
    "most_supported": ("-support_count", "-id"),
    "closing_soon": (F("phase_ends").asc(nulls_last=True), "id"),
}


def default_policy() -> Policy:
    """The stored default policy. It is created after every `migrate`
    (`services.ensure_default_policy`, from ProposalsConfig); should it be missing,
    an unsaved one with the model's defaults answers, so a read never writes."""
    policy = Policy.objects.filter(is_default=True).first()
    return policy if policy is not None else Policy(is_default=True, unit=None)


def _in_force(at: datetime) -> Q:
    return (
        Q(effective_from__lte=at)
        & Q(lapsed_at__isnull=True)
        & (
            Q(lapses_at__isnull=True)
            | Q(lapses_at__gt=at)
            | Q(confirmed_at__isnull=False)
        )
    )


def policy_for_unit(unit: Unit, at: datetime | None = None) -> Policy:
    """The unit's own policy version in force at `at` (now), else its nearest
    ancestor's, else the default (docs/flat.md). One query."""
    at = at or timezone.now()
    ids = unit.ancestor_ids or [unit.pk]
    policies: dict[int, Policy] = {}
    for policy in Policy.objects.filter(_in_force(at), unit_id__in=ids).order_by(
        "unit_id", "-effective_from", "-version"
    ):
        policies.setdefault(policy.unit_id, policy)  # type: ignore[arg-type]
    for unit_id in reversed(ids):
        if unit_id in policies:
            return policies[unit_id]
    return default_policy()


def own_policy(unit: Unit, at: datetime | None = None) -> Policy | None:
    """The unit's own version in force (None: it inherits)."""
    at = at or timezone.now()
    return (
        Policy.objects.filter(_in_force(at), unit=unit)
        .order_by("-effective_from", "-version")
        .first()
    )


def policy_versions(unit: Unit) -> QuerySet[Policy]:
    """Every version of the unit's own rules, newest first, with the proposals that
    adopted or confirmed them."""
    return (
        Policy.objects.filter(unit=unit)
        .select_related("adopted_by", "confirmed_by")
        .order_by("-version")
    )


# What a proposal's authors need of the member: the name (`display_name`, which
# reads `erased_at`), the username and the id.
_AUTHOR_FIELDS = (
    "proposal_id",
    "member_id",
    "is_creator",
    "invited_at",
    "accepted_at",
    "member__username",
    "member__full_name",
    "member__first_name",
    "member__last_name",
    "member__erased_at",
)


def attach_people(proposals: Iterable[Proposal]) -> list[Proposal]:
    """Set `topic_refs` ([(id, name)], by name) and `author_refs` (ProposalAuthor
    rows with their member: the creator first, then invited co-authors in order) on
    each proposal: two queries for any number of rows, no related manager or
    queryset per row (which a prefetch costs). Read them with `topic_refs()` and
    `authorships_of()`."""
    proposals = list(proposals)
    if not proposals:
        return proposals
    ids = [p.pk for p in proposals]
    topics: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for pk, topic_id, name in (
        Proposal.topics.through.objects.filter(proposal_id__in=ids)
        .order_by("topic__name", "topic_id")
        .values_list("proposal_id", "topic_id", "topic__name")
    ):
        topics[pk].append((topic_id, name))
    authors: dict[int, list[ProposalAuthor]] = {pk: [] for pk in ids}
    for a in (
        ProposalAuthor.objects.filter(proposal_id__in=ids)
        .select_related("member")
        .only(*_AUTHOR_FIELDS)
        .order_by("-is_creator", "invited_at", "id")
    ):
        authors[a.proposal_id].append(a)
    for p in proposals:
        p.__dict__["topic_refs"] = topics[p.pk]
        p.__dict__["author_refs"] = authors[p.pk]
    return proposals


def topic_refs(proposal: Proposal) -> list[tuple[int, str]]:
    """[(id, name)] of the proposal's topics (from `attach_people`, else a query)."""
    refs = proposal.__dict__.get("topic_refs")
    if refs is None:
        refs = [(t.pk, t.name) for t in proposal.topics.all()]
    return refs


def authorships_of(proposal: Proposal) -> list[ProposalAuthor]:
    """The proposal's authorships, creator first (from `attach_people`, else a
    query)."""
    refs = proposal.__dict__.get("author_refs")
    if refs is None:
        attach_people([proposal])
        refs = proposal.__dict__["author_refs"]
    return refs


def _poll_subquery() -> Subquery:
    """The id of the vote a proposal is (or was) in — through the voting area's link
    table, found from the reverse relation so that proposals never import voting."""
    link = Proposal.polls.through
    return Subquery(
        link.objects.filter(proposal_id=OuterRef("pk"), poll__kind="proposal")
        .order_by("poll_id")
        .values("poll_id")[:1]
    )


def base_queryset(*, viewer: Viewer) -> QuerySet:
    """Proposals the viewer may read, with what every list and page shows. Topics and
    authors are not prefetched: call `attach_people` on the rows you show (two
    queries for any number of rows, no queryset per row)."""
    return _for_viewer(Proposal.objects.visible_to(viewer), viewer)


def _for_viewer(qs: QuerySet, viewer: Viewer) -> QuerySet:
    qs = (
        qs.defer("search_vector")  # large, and only PostgreSQL reads it
        .select_related("unit")
        .annotate(poll_id=_poll_subquery())
    )
    if signed_in(viewer):
        qs = qs.annotate(
            viewer_supports=Exists(
                Support.objects.filter(proposal=OuterRef("pk"), member=viewer)
            ),
            viewer_follows=Exists(
                Follow.objects.filter(
                    member=viewer, target_kind="proposal", target_id=OuterRef("pk")
                )
            ),
        )
    return qs


def list_proposals(
    *,
    viewer: Viewer,
    state: str | None = None,
    unit: int | None = None,
    topic: int | None = None,
    author: int | None = None,
    followed: bool = False,
    q: str | None = None,
    ordering: str | None = None,
    open_only: bool = False,
    units: Iterable[int] | None = None,
    subunits: bool = False,
) -> QuerySet:
    """The proposals a member finds (published ones and their own drafts), filtered;
    `units` narrows to a set of unit ids (e.g. where the member takes part)."""
    qs = base_queryset(viewer=viewer)
    if units is not None:
        qs = qs.filter(unit_id__in=list(units))
    if state:
        qs = qs.filter(state=state)
    elif open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if unit and subunits:
        path = (
            Unit.objects.filter(pk=unit).values_list("path", flat=True).first() or "-"
        )
        qs = qs.filter(unit__path__startswith=path)
    elif unit:
        qs = qs.filter(unit_id=unit)
    if topic:
        qs = qs.filter(
            pk__in=Proposal.topics.through.objects.filter(topic_id=topic).values(
                "proposal_id"
            )
        )
    if author:
        qs = qs.filter(
            pk__in=ProposalAuthor.objects.filter(
                member_id=author, accepted_at__isnull=False
            ).values("proposal_id")
        )
    if followed and getattr(viewer, "is_authenticated", False):
        qs = qs.filter(viewer_follows=True)
    if q:
        qs = apply_search(qs, q, rank=not ordering)
        if not ordering and uses_postgres():
            return qs.order_by("-rank", "-id")
    return qs.order_by(*ORDERINGS[ordering or "newest"])


def get_proposal(*, viewer: Viewer, pk: int) -> Proposal:
    """One proposal for its page or API detail, with its people (raises
    Proposal.DoesNotExist). Found by id and then checked as `visible_to` would
    (published, or the viewer is among its authors and invitees): the authors are
    read anyway, so the viewer's drafts need no query of their own."""
    proposal = (
        _for_viewer(Proposal.objects.all(), viewer)
        .select_related("thread__unit", "policy__unit", "alternative_to", "created_by")
        .annotate(
            # what the page lists only when there is something: no query otherwise
            has_amendments=Exists(Amendment.objects.filter(proposal=OuterRef("pk"))),
            has_alternatives=Exists(
                Proposal.objects.published().filter(alternative_to=OuterRef("pk"))
            ),
        )
        .prefetch_related(
            Prefetch(
                "state_changes", queryset=StateChange.objects.select_related("actor")
            )
        )
        .get(pk=pk)
    )
    attach_people([proposal])
    writers = {a.member_id for a in authorships_of(proposal)}  # and invitees
    if proposal.published_at is None and not (
        signed_in(viewer) and viewer.pk in writers
    ):
        raise Proposal.DoesNotExist
    proposal.alternative_list = (
        list(
            Proposal.objects.published()
            .filter(alternative_to=proposal)
            .order_by("created", "id")
            .only("id", "title", "state", "alternative_to_id")
        )
        if proposal.has_alternatives
        else []
    )
    return proposal


def alternatives_of(proposal: Proposal) -> list[Proposal]:
    """The proposal's published alternatives, oldest first (read by
    `get_proposal`, else a query)."""
    found = proposal.__dict__.get("alternative_list")
    if found is None:
        found = list(
            Proposal.objects.published()
            .filter(alternative_to=proposal)
            .order_by("created", "id")
            .only("id", "title", "state", "alternative_to_id")
        )
    return found


def get_visible_proposal(*, viewer: Viewer, pk: int) -> Proposal:
    """`get_proposal`, or 404 "No such proposal." — the one lookup of the proposal
    page and the API (a draft is invisible to all but its authors)."""
    try:
        return get_proposal(viewer=viewer, pk=pk)
    except Proposal.DoesNotExist as exc:
        raise NotFound(_("No such proposal.")) from exc


def similar_proposals(*, viewer: Viewer, text: str, limit: int = 5) -> list[Proposal]:
    """Published proposals that look like what the member is writing, most related
    first, so they can join forces (docs/search.md "Similar proposals"). Title and
    clauses only — the rationale would match too much — and never on function words
    ("för", "att", "the"), which once ranked any proposal with "för" in its title."""
    text = (text or "").replace("\x00", "").strip()
    words = words_of(text, limit=12, min_len=3)
    if len(text) < 3 or not words:
        return []
    fields = ("id", "title", "state", "support_count", "support_needed", "unit__name")
    qs = Proposal.objects.published().select_related("unit")
    if uses_postgres():
        # Any of the words among the title and clause lexemes (weight A), ranked by
        # ts_rank: more shared stems, more related.
        query = title_query(words)
        # Each shared word counts by its length: "kollektivtrafik" says more about
        # the subject than "gratis" does.
        score: Any = Value(0.0, output_field=FloatField())
        for word in words:
            score = score + _weight(word) * SearchRank(
                F("search_vector"), title_query([word])
            )
        return list(
            qs.filter(search_vector=query)
            .annotate(rank=score)
            .order_by("-rank", "-id")
            .only(*fields)[:limit]
        )
    # SQLite: candidates sharing a stem, scored by token overlap in Python.
    stems = [_stem(w) for w in words]
    any_stem = Q()
    for stem in stems:
        any_stem |= Q(title__icontains=stem) | Q(clauses__icontains=stem)
    candidates = list(
        qs.filter(any_stem).order_by("-id").only(*fields, "clauses")[:200]
    )
    scored = [(_overlap(p, stems), p) for p in candidates]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [p for score, p in scored if score > 0][:limit]


def _stem(word: str) -> str:
    """A crude stem for the fallback: Swedish and English endings differ, the first
    letters rarely do ("kollektivtrafiken" → "kollektivtra")."""
    return word if len(word) <= 5 else word[: max(5, len(word) - 4)]


def _overlap(proposal: Proposal, stems: list[str]) -> float:
    title_words = re.findall(r"\w+", proposal.title.casefold())
    clause_words = re.findall(r"\w+", " ".join(proposal.clauses).casefold())
    score = 0.0
    for stem in stems:
        if any(w.startswith(stem) for w in title_words):
            score += _weight(stem)
        elif any(w.startswith(stem) for w in clause_words):
            score += 0.5 * _weight(stem)
    return score


def _weight(word: str) -> float:
    """Longer words carry the subject (Swedish compounds): 3 letters 0.5 … 12+ 2."""
    return min(len(word), 12) / 6


def revisions_of(proposal: Proposal) -> QuerySet:
    return Revision.objects.filter(proposal=proposal).select_related(
        "author", "amendment"
    )


def amendments_of(
    proposal: Proposal, *, viewer: Viewer | None = None
) -> QuerySet[Amendment]:
    qs = Amendment.objects.filter(proposal=proposal).select_related("author", "thread")
    if signed_in(viewer):
        from .models import AmendmentSupport

        qs = qs.annotate(
            viewer_supports=Exists(
                AmendmentSupport.objects.filter(amendment=OuterRef("pk"), member=viewer)
            )
        )
    return qs


def support_by_day(proposal: Proposal) -> list[tuple]:
    """[(date, supports that day)] for the current supports, oldest first (one
    query)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    return list(
        Support.objects.filter(proposal=proposal)
        .annotate(day=TruncDate("created"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
        .values_list("day", "n")
    )


def ballot_group(proposal: Proposal) -> list[Proposal]:
    """For the voting area: the proposal and its published alternatives (the original
    first), which go on one ranked ballot together."""
    root_id = proposal.alternative_to_id or proposal.pk
    return [
        *Proposal.objects.filter(pk=root_id),
        *Proposal.objects.filter(alternative_to_id=root_id)
        .published()
        .order_by("created", "id"),
    ]


def alternative_group(proposal: Proposal) -> list[Proposal]:
    """`ballot_group` for the proposal page: the original first, then its published
    alternatives — as `get_proposal` read them when the proposal is the original (no
    query), else in one query. Empty when there is no alternative."""
    if proposal.alternative_to_id is None:
        group = [proposal, *alternatives_of(proposal)]
    else:
        root_id = proposal.alternative_to_id
        rows = list(
            Proposal.objects.filter(
                Q(pk=root_id) | Q(alternative_to_id=root_id, published_at__isnull=False)
            )
            .order_by("created", "id")
            .only("id", "title", "state", "alternative_to_id")
        )
        group = [r for r in rows if r.pk == root_id] + [
            r for r in rows if r.pk != root_id
        ]
    return group if len(group) > 1 else []


def amendments_to_vote(proposal: Proposal) -> QuerySet:
    """For the voting area: amendments that go to the vote beside the proposal."""
    from .models import AmendmentState

    return Amendment.objects.filter(proposal=proposal, state=AmendmentState.TO_VOTE)


MINE_LIMIT = 100


def my_proposals(*, member: Viewer) -> dict[str, list[Proposal]]:
    """`/proposals/mine/`: the member's drafts, open invitations to co-author, the
    published proposals they write and those they support (at most MINE_LIMIT each,
    newest first; a fixed number of queries)."""
    if not signed_in(member):
        return {"drafts": [], "invitations": [], "written": [], "supported": []}
    qs = base_queryset(viewer=member).defer("body", "body_html")
    accepted = ProposalAuthor.objects.filter(member=member, accepted_at__isnull=False)
    invited = ProposalAuthor.objects.filter(member=member, accepted_at__isnull=True)
    order = ("-created", "-id")
    return {
        "drafts": list(
            qs.filter(published_at__isnull=True, state=State.DRAFT)
            .filter(pk__in=accepted.values("proposal_id"))
            .order_by(*order)[:MINE_LIMIT]
        ),
        "invitations": list(
            qs.filter(pk__in=invited.values("proposal_id"))
            .exclude(state__in=[State.WITHDRAWN, State.EXPIRED])
            .order_by(*order)[:MINE_LIMIT]
        ),
        "written": list(
            qs.filter(published_at__isnull=False)
            .filter(pk__in=accepted.values("proposal_id"))
            .order_by(*order)[:MINE_LIMIT]
        ),
        "supported": list(
            qs.filter(published_at__isnull=False)
            .filter(pk__in=Support.objects.filter(member=member).values("proposal_id"))
            .order_by(*order)[:MINE_LIMIT]
        ),
    }


def public_proposals_by(*, author_id: int, viewer: Viewer, limit: int = 50) -> list:
    """A member's published proposals (accepted authorships) for their profile —
    never a draft, whoever looks."""
    return list(
        base_queryset(viewer=viewer)
        .defer("body", "body_html")
        .filter(published_at__isnull=False)
        .filter(
            pk__in=ProposalAuthor.objects.filter(
                member_id=author_id, accepted_at__isnull=False
            ).values("proposal_id")
        )
        .order_by("-published_at", "-id")[:limit]
    )


def public_overview(*, limit: int = 5) -> dict[str, list[Proposal]]:
    """What is happening now, for the visitor's front page — public like the teaser
    pages and the Atom feed (titles, units, states, counts; never a text or a draft):
    proposals nearest their quorum, votes open, the latest decisions."""
    qs = (
        Proposal.objects.published()
        .select_related("unit")
        .only(
            "pk",
            "title",
            "state",
            "unit__name",
            "support_count",
            "support_needed",
            "phase_ends",
            "closed_at",
            "published_at",
        )
    )
    near = (
        qs.filter(state=State.GATHERING_SUPPORT, support_needed__gt=0)
        .annotate(
            share=Cast("support_count", FloatField())
            / Cast("support_needed", FloatField())
        )
        .order_by("-share", "phase_ends", "id")[:limit]
    )
    return {
        "near_quorum": list(near),
        "voting": list(
            qs.filter(state=State.VOTING).order_by("phase_ends", "id")[:limit]
        ),
        "decided": list(
            qs.filter(state__in=[State.ADOPTED, State.REJECTED]).order_by(
                "-closed_at", "-id"
            )[:limit]
        ),
    }


def public_proposals() -> QuerySet:
    """Every published proposal at teaser level (title, unit, state), newest first —
    the list a visitor sees at /proposals/."""
    return (
        Proposal.objects.published()
        .select_related("unit")
        .only("pk", "title", "state", "unit__name", "published_at")
        .order_by("-published_at", "-id")
    )
