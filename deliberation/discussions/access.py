"""One access-and-lock function per object (Zulip's `access_stream_by_id`): the read
rule and the row lock can never be forgotten apart. Every surface — API, pages,
websocket consumer, follows, services — gets threads and comments through these.

* missing → 404; a thread whose subject the viewer may not read (a draft's thread for
  anyone but its authors) → 404 as well, so its existence stays private;
* signed in without any membership → 403 (NotAllowed), as for every discussion.
See docs/permissions.md.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from deliberation.errors import NotAllowed
from deliberation.members.viewer import Viewer

from . import permissions as perms
from .models import Comment, Thread
from .subjects import related_fields


def _check(viewer: Viewer, thread: Thread) -> None:
    if not perms.is_member(viewer):
        raise NotAllowed(_("Only members can read discussions."))
    if not perms.can_read_thread(viewer, thread):
        raise Http404(_("No such thread."))


def _id(pk: int | str, missing: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(missing) from None
    if not 0 < value < 2**63:
        raise Http404(missing)
    return value


def access_thread(viewer: Viewer, pk: int | str, *, lock: bool = False) -> Thread:
    """The thread the viewer may read (404/403 otherwise); `lock=True` takes its row
    lock (inside a transaction) after the rule said yes."""
    qs = Thread.objects.select_related("unit", "created_by", *related_fields())
    try:
        # get(), not first(): no ORDER BY to compile over every joined column
        thread = qs.get(pk=_id(pk, _("No such thread.")))
    except Thread.DoesNotExist:
        raise Http404(_("No such thread.")) from None
    _check(viewer, thread)
    if lock:
        Thread.objects.select_for_update().filter(pk=thread.pk).values("pk").get()
    return thread


def access_comment(viewer: Viewer, pk: int | str, *, lock: bool = False) -> Comment:
    """The comment (with author and thread) in a thread the viewer may read;
    `lock=True` locks the comment's row (inside a transaction)."""
    related = ["author", "thread", "thread__unit"]
    related += [f"thread__{name}" for name in related_fields()]
    qs = Comment.objects.select_related(*related)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        comment = qs.get(pk=_id(pk, _("No such comment.")))
    except Comment.DoesNotExist:
        raise Http404(_("No such comment.")) from None
    _check(viewer, comment.thread)
    return comment
