"""Reads for discussions: tuned querysets, a fixed number of queries whatever the size
of the thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.utils import timezone

from deliberation.members.models import Role
from deliberation.members.permissions import current_roles
from deliberation.members.viewer import Viewer, signed_in

from . import permissions as perms
from .access import access_comment, access_thread
from .models import (
    Appeal,
    Comment,
    Flag,
    LiveSession,
    ModerationAction,
    Reaction,
    ReactionKind,
    Stance,
    Thread,
)
from .subjects import readable_filter

ROOTS_PER_PAGE = 20


def with_live_now(qs: QuerySet) -> QuerySet:
    """Annotate `live_now`: a live session of the thread is running (highlighted)."""
    from django.db.models import Exists, OuterRef

    now = timezone.now()
    return qs.annotate(
        live_now=Exists(
            LiveSession.objects.filter(
                thread=OuterRef("pk"),
                closed__isnull=True,
                starts__lte=now,
                ends__gt=now,
            )
        )
    )


def readable_threads(viewer: Viewer) -> QuerySet[Thread]:
    """The threads the viewer may read — `permissions.can_read_thread` as one filter
    (every registered subject rule OR-ed), so a list stays one query."""
    if not perms.is_member(viewer):
        return Thread.objects.none()
    return Thread.objects.filter(readable_filter(viewer))


def list_threads(
    *, viewer: Viewer, unit_id: int | None = None, kind: str | None = None
) -> QuerySet[Thread]:
    qs = with_live_now(readable_threads(viewer).select_related("unit", "created_by"))
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(F("last_activity").desc(nulls_last=True), "-created", "-id")


def get_thread(pk: int) -> Thread:
    return with_live_now(Thread.objects.select_related("unit", "created_by")).get(pk=pk)


def comments_of(thread_id: int) -> QuerySet:
    """All comments of a thread in reading order, for the API's flat list."""
    return (
        Comment.objects.filter(thread_id=thread_id)
        .select_related("author")
        .order_by("created", "id")
    )


def my_reactions(
    member: Viewer | None, comment_ids: Iterable[int]
) -> set[tuple[int, str]]:
    if not signed_in(member) or not comment_ids:
        return set()
    return set(
        Reaction.objects.filter(
            member=member, comment_id__in=list(comment_ids)
        ).values_list("comment_id", "kind")
    )


def present_comments(
    comments: Iterable[Comment], viewer: Viewer, thread: Thread
) -> None:
    """Decide per comment what this viewer sees (`shown_html`, `can_see_text`) — hidden
    text only for its author and the unit's moderators; one role query at most, and
    only when a comment of someone else is hidden."""
    moderator: bool | None = None
    viewer_id = getattr(viewer, "pk", None)
    for c in comments:
        c.thread = thread
        c.is_own = c.author_id == viewer_id
        if c.hidden and not c.is_own and moderator is None:
            moderator = perms.can_moderate(viewer, thread)  # kept on the viewer
        c.can_see_text = (not c.hidden) or c.is_own or bool(moderator)
        visible = c.deleted is None and c.can_see_text
        c.shown_html = c.body_html if visible else ""


def present_own_new_comment(comment: Comment) -> None:
    """`present_comments` for a comment its author just wrote (not hidden, no
    reactions): they see all of it, with no role query."""
    comment.is_own = True
    comment.can_see_text = True
    comment.shown_html = comment.body_html


@dataclass
class ThreadPage:
    thread: Thread
    page: object
    roots: list
    count: int
    reacted: set = field(default_factory=set)
    moderator: bool = False


def thread_page(
    *,
    thread: Thread,
    viewer: Viewer,
    page_number: int | str = 1,
    per_page: int = ROOTS_PER_PAGE,
    newest_first: bool = False,
) -> ThreadPage:
    """A page of top-level comments with all their replies nested (`c.children`):
    three queries whatever the size of the thread — the page's roots (with the
    number of roots, counted in the same query), their replies, and the viewer's own
    reactions. The roots are counted apart only for `last` or a page past the end
    (`Paginator.get_page`: the last page)."""
    roots_qs = (
        Comment.objects.filter(thread=thread, root__isnull=True)
        .select_related("author")
        .order_by(*(("-created", "-id") if newest_first else ("created", "id")))
    )
    paginator = Paginator(roots_qs, per_page)
    number = _page_number(page_number)
    roots: list[Comment] = []
    if number is not None:
        roots = _roots(roots_qs, number, per_page)
    if roots:
        paginator.count = roots[0].root_total  # type: ignore[attr-defined]
    if number is None or (not roots and number > paginator.num_pages):
        # `last` or a page past the end (counts the roots): the last page
        number = paginator.num_pages
        if paginator.count:
            roots = _roots(roots_qs, number, per_page)
    page = paginator.page(number)
    page.object_list = roots
    replies = (
        sorted(  # in Python: an ORDER BY over every joined column costs more
            Comment.objects.filter(thread=thread, root_id__in=[r.pk for r in roots])
            .select_related("author")
            .order_by(),
            key=lambda c: (c.created, c.pk),
        )
        if roots
        else []
    )
    everything = roots + replies
    by_id = {c.pk: c for c in everything}
    for c in everything:
        c.children = []
    for c in replies:
        parent = by_id.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            parent.children.append(c)
    moderator = perms.can_moderate(viewer, thread)
    present_comments(everything, viewer, thread)
    reacted = my_reactions(viewer, by_id.keys())
    attach_reactions(everything, reacted)
    return ThreadPage(
        thread=thread,
        page=page,
        roots=roots,
        count=paginator.count,
        reacted=reacted,
        moderator=moderator,
    )


def _page_number(page_number: int | str) -> int | None:
    """A page number as `Paginator.get_page` reads it: not a number → 1; `last`,
    below 1 → None (the last page, known once the roots are counted)."""
    if page_number == "last":
        return None
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else None


def _roots(roots_qs: QuerySet, number: int, per_page: int) -> list:
    """Page `number` of the roots, each with `root_total` (all the thread's roots,
    COUNT(*) OVER () in the same query)."""
    qs = roots_qs.annotate(root_total=Window(Count("pk")))
    return list(qs[(number - 1) * per_page : number * per_page])


def attach_reactions(
    comments: Iterable[Comment], reacted: set[tuple[int, str]]
) -> None:
    """`c.reaction_list`: [(kind, label, count, mine)] for templates."""
    kinds = [(k, str(label)) for k, label in ReactionKind.choices]  # translate once
    for c in comments:
        counts = c.reaction_counts or {}
        c.reaction_list = [
            (k, label, counts.get(k, 0), (c.pk, k) in reacted) for k, label in kinds
        ]


def arguments(*, thread: Thread, viewer: Viewer, limit: int = 50) -> dict:
    """For and against side by side, strongest (most reactions) first."""
    qs = (
        Comment.objects.filter(
            thread=thread,
            stance__in=[Stance.FOR, Stance.AGAINST],
            deleted__isnull=True,
            hidden=False,
        )
        .select_related("author")
        .order_by("-reaction_total", "created", "id")
    )
    for_side = list(qs.filter(stance=Stance.FOR)[:limit])
    against_side = list(qs.filter(stance=Stance.AGAINST)[:limit])
    present_comments(for_side + against_side, viewer, thread)
    attach_reactions(
        for_side + against_side,
        my_reactions(viewer, [c.pk for c in for_side + against_side]),
    )
    return {"for": for_side, "against": against_side}


def moderation_log(
    *, viewer: Viewer, unit_id: int | None = None
) -> QuerySet[ModerationAction]:
    """Public, except actions in threads the viewer may not read (a draft's thread):
    their subject stays private, and anonymous visitors see unit discussions only."""
    qs = ModerationAction.objects.select_related("moderator", "unit", "thread")
    if perms.is_member(viewer):
        qs = qs.filter(readable_filter(viewer, "thread__"))
    else:
        qs = qs.filter(thread__kind="unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("-created", "-id")


def moderated_unit_filter(member: Viewer, prefix: str = "thread__unit__") -> Q | None:
    """Q selecting rows whose unit lies in a subtree the member moderates."""
    paths = [p for role, _u, p in current_roles(member) if role == Role.MODERATOR]
    if not paths:
        return None
    q = Q()
    for p in paths:
        q |= Q(**{f"{prefix}path__startswith": p})
    return q


def open_flags_qs(member: Viewer) -> QuerySet[Flag]:
    """Unresolved flags on visible comments in the units the member moderates (in
    threads they may read, on comments of others)."""
    q = moderated_unit_filter(member, "comment__thread__unit__")
    if not signed_in(member) or q is None:
        return Flag.objects.none()
    return (
        Flag.objects.filter(
            q,
            readable_filter(member, "comment__thread__"),
            resolved__isnull=True,
            comment__hidden=False,
            comment__deleted__isnull=True,
        )
        .exclude(comment__author=member)
        .select_related("comment", "comment__author", "comment__thread", "member")
        .order_by("created", "id")
    )


def open_flags_for(member: Viewer) -> list[Flag]:
    return list(open_flags_qs(member)[:200])


def flag_counts(comment_ids: Iterable[int]) -> dict[int, int]:
    """Open flags per comment (shown to moderators on the thread page)."""
    from django.db.models import Count

    return dict(
        Flag.objects.filter(comment_id__in=list(comment_ids), resolved__isnull=True)
        .values_list("comment_id")
        .annotate(n=Count("id"))
        .values_list("comment_id", "n")
    )


def open_appeals_qs(member: Viewer) -> QuerySet[Appeal]:
    """Undecided appeals the member may decide (a moderator of the unit, not the one
    who hid the comment, not its author)."""
    q = moderated_unit_filter(member, "comment__thread__unit__")
    if not signed_in(member) or q is None:
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(
            q, readable_filter(member, "comment__thread__"), decided__isnull=True
        )
        .exclude(hidden_by=member)
        .exclude(author=member)
        .select_related(
            "comment", "comment__author", "comment__thread", "author", "hidden_by"
        )
        .order_by("created")
    )


def open_appeals_for(member: Viewer) -> list[Appeal]:
    return list(open_appeals_qs(member)[:200])


def moderation_queue(member: Viewer) -> dict[str, int] | None:
    """What waits for a moderator: `{"flags": n, "appeals": m}`; None for whoever
    moderates nothing (one query for them)."""
    if moderated_unit_filter(member, "comment__thread__unit__") is None:
        return None
    return {
        "flags": open_flags_qs(member).values("comment_id").distinct().count(),
        "appeals": open_appeals_qs(member).count(),
    }


def list_live_sessions(
    *,
    viewer: Viewer,
    unit_id: int | None = None,
    thread_id: int | None = None,
    upcoming: bool = False,
) -> QuerySet[LiveSession]:
    if not perms.is_member(viewer):
        return LiveSession.objects.none()
    qs = LiveSession.objects.filter(readable_filter(viewer, "thread__")).select_related(
        "unit", "facilitator", "thread", "closed_by"
    )
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if thread_id is not None:
        qs = qs.filter(thread_id=thread_id)
    if upcoming:
        qs = qs.filter(closed__isnull=True, ends__gt=timezone.now())
    return qs.order_by("starts", "id")


def sessions_of_thread(thread: Thread) -> dict:
    """The live session running now (if any), the next one, and closed ones with
    minutes — one query."""
    now = timezone.now()
    sessions = sorted(  # in Python: a handful of rows, and no ORDER BY to compile
        LiveSession.objects.filter(thread=thread)
        .select_related("facilitator", "closed_by")
        .order_by(),
        key=lambda s: (s.starts, s.pk),
    )
    live = next((s for s in sessions if s.is_live(now)), None)
    upcoming = [s for s in sessions if s.closed is None and s.starts > now]
    closed = [s for s in sessions if s.closed is not None]
    return {"live": live, "upcoming": upcoming, "closed": closed, "all": sessions}


def comment_history(comment: Comment) -> list:
    return list(comment.revisions.order_by("created", "id"))


def comment_url(comment: Comment) -> str:
    """Link to a comment on the page of the thread where its top-level comment is."""
    root_id = comment.root_id or comment.pk
    root = (
        comment  # a top-level comment is its own root (no query)
        if root_id == comment.pk
        else Comment.objects.only("created").get(pk=root_id)
    )
    before = (
        Comment.objects.filter(thread_id=comment.thread_id, parent__isnull=True)
        .filter(Q(created__lt=root.created) | Q(created=root.created, id__lt=root.pk))
        .count()
    )
    page = before // ROOTS_PER_PAGE + 1
    return f"/threads/{comment.thread_id}/?page={page}#c-{comment.pk}"


def get_readable_thread(*, viewer: Viewer, pk: int | str) -> Thread:
    """The thread, or 404 (also when its subject is private); 403 (NotAllowed) for
    an account without membership. See `access.access_thread`."""
    return access_thread(viewer, pk)


def get_readable_comment(*, viewer: Viewer, pk: int | str) -> Comment:
    """The comment with its author and thread; see `access.access_comment`."""
    return access_comment(viewer, pk)


def public_readable_threads(viewer: Viewer) -> QuerySet[Thread]:
    """Threads the viewer may read *and* whose subject is not private to a few (a
    draft's thread, even for its authors). The subject rules asked for nobody
    (`None`) give exactly the public ones; a kind whose rule says nothing for nobody
    is left out (closed by default). Search and member profiles use it."""
    return readable_threads(viewer).filter(readable_filter(None))


def recent_comments_by(*, author_id: int, viewer: Viewer, limit: int = 10) -> list:
    """A member's latest visible comments (not hidden, not deleted) in public threads
    the viewer may read, with their threads — one query (member profiles)."""
    return list(
        Comment.objects.filter(
            author_id=author_id,
            thread__in=public_readable_threads(viewer),
            hidden=False,
            deleted__isnull=True,
        )
        .select_related("thread")
        .order_by("-created", "-id")[:limit]
    )
