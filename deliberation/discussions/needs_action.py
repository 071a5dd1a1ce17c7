""" "Needs my action" for discussions (deliberation/notifications/needs_action.py):

* `reply` — a reply to one of the member's comments, written by someone else in
  the last seven days, that the member has not answered: it goes away once the
  member writes in that thread after it (or after seven days). Hidden and deleted
  replies, and threads the member may not read, are left out;
* `session` — a live session of one of the member's units (a branch they belong
  to) that is on now or starts within the window, in a thread they may read; it
  goes away when it is closed or over;
* `flag` — for a moderator: a comment of someone else, in the units they moderate,
  with open flags (until a moderator hides it or the flags are resolved);
* `appeal` — for a moderator: an appeal they may decide (not about their own comment,
  not against their own hiding), until it is decided.

One query each (the moderation kinds two: the member's moderator roles first).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.members.permissions import scope_unit_ids_of
from deliberation.notifications.needs_action import ActionItem, when

from .models import Appeal, Comment, LiveSession
from .selectors import ROOTS_PER_PAGE, moderated_unit_filter, open_flags_qs
from .subjects import readable_filter

REPLY_WINDOW = timedelta(days=7)


def _roots_before() -> Subquery:
    """How many top-level comments come before the reply's top-level comment on
    its thread's pages (as `selectors.comment_url` counts, in the same query)."""
    before = (
        Comment.objects.filter(thread=OuterRef("thread"), parent__isnull=True)
        .filter(
            Q(created__lt=OuterRef("root_created"))
            | Q(created=OuterRef("root_created"), id__lt=OuterRef("root_key"))
        )
        .order_by()
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(before, output_field=IntegerField())


def replies_to_answer(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    later_by_member = Comment.objects.filter(
        thread=OuterRef("thread"), author=member, created__gt=OuterRef("created")
    )
    replies = (
        Comment.objects.filter(
            parent__author=member,
            created__gt=now - REPLY_WINDOW,
            created__lte=now,
            deleted__isnull=True,
            hidden=False,
        )
        .exclude(author=member)
        .filter(readable_filter(member, "thread__"))
        .exclude(Exists(later_by_member))
        .select_related("author", "thread")
        .only(
            "id",
            "created",
            "thread__id",
            "thread__title",
            "author__id",
            "author__username",
            "author__full_name",
            "author__first_name",
            "author__last_name",
        )
        .annotate(
            root_created=Coalesce("root__created", "created"),
            root_key=Coalesce("root_id", "id"),
        )
        .annotate(before=Coalesce(_roots_before(), 0))
        .order_by("created", "id")
    )
    out = []
    for c in replies:
        page = c.before // ROOTS_PER_PAGE + 1
        out.append(
            ActionItem(
                kind="reply",
                deadline=c.created + REPLY_WINDOW,
                action=_("Reply to %(name)s") % {"name": c.author.display_name},
                title=c.thread.title,
                url=f"/threads/{c.thread.pk}/?page={page}#c-{c.pk}",
                object_type="comment",
                object_id=c.pk,
            )
        )
    return out


def sessions_to_join(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    units = scope_unit_ids_of(member)
    if not units:
        return []
    sessions = (
        LiveSession.objects.filter(
            closed__isnull=True, ends__gt=now, starts__lte=until, unit_id__in=units
        )
        .filter(readable_filter(member, "thread__"))
        .only("id", "title", "starts", "ends", "thread_id")
        .order_by("starts", "id")
    )
    out = []
    for s in sessions:
        live = s.starts <= now
        out.append(
            ActionItem(
                kind="session",
                deadline=s.ends if live else s.starts,
                action=_("Join the session — it is on now")
                if live
                else _("Join the session %(when)s") % {"when": when(s.starts, now)},
                title=s.title,
                url=f"/threads/{s.thread_id}/",
                object_type="live_session",
                object_id=s.pk,
            )
        )
    return out


def flags_to_review(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    flagged = (
        open_flags_qs(member)
        .order_by()
        .values("comment_id", "comment__thread__title")
        .annotate(n=Count("id"), first=Min("created"))
        .order_by("first", "comment_id")
    )
    return [
        ActionItem(
            kind="flag",
            deadline=None,
            action=ngettext(
                "Review the flagged comment",
                "Review the comment — %(n)d flags",
                row["n"],
            )
            % {"n": row["n"]},
            title=row["comment__thread__title"],
            url=f"/comments/{row['comment_id']}/",
            object_type="comment",
            object_id=row["comment_id"],
        )
        for row in flagged
    ]


def appeals_to_decide(member, *, now: datetime, until: datetime) -> list[ActionItem]:
    moderated = moderated_unit_filter(member, "comment__thread__unit__")
    if moderated is None:
        return []
    appeals = (
        Appeal.objects.filter(
            moderated,
            readable_filter(member, "comment__thread__"),
            decided__isnull=True,
        )
        .exclude(hidden_by=member)
        .exclude(author=member)
        .select_related("author", "comment__thread")
        .only(
            "id",
            "comment__id",
            "comment__thread__id",
            "comment__thread__title",
            "author__id",
            "author__username",
            "author__full_name",
            "author__first_name",
            "author__last_name",
        )
        .order_by("created", "id")
    )
    return [
        ActionItem(
            kind="appeal",
            deadline=None,
            action=_("Decide the appeal of %(name)s") % {"name": a.author.display_name},
            title=a.comment.thread.title,
            url="/moderation/",
            object_type="appeal",
            object_id=a.pk,
        )
        for a in appeals
    ]
