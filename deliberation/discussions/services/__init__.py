"""Writes for discussions, one module per concern. Every change a watcher should see is
appended to the thread's event stream with the next `seq` and published after commit
(docs/realtime.md). Services check permissions, lock what they change and record every
use of power in the audit log.

    threads.py        create/open a thread; `append_thread_event` (the event stream)
    comments.py       post, edit, delete a comment
    reactions.py      add, remove, toggle a reaction
    moderation.py     flag, hide, restore, appeal, decide an appeal
    live_sessions.py  schedule, announce, close a live session
    rate_limits.py    how fast a member may post
    rendering.py      Markdown + @mentions, event payloads of comments
    _common.py        validation and row locks shared by the above

Import from here (`from deliberation.discussions.services import post_comment`).
"""

from ._common import REASON_MAX, comment_max_length
from .comments import delete_comment, edit_comment, post_comment
from .live_sessions import (
    announce_started_sessions,
    close_live_session,
    schedule_live_session,
    session_event_data,
)
from .moderation import (
    appeal_hiding,
    decide_appeal,
    flag_comment,
    hide_comment,
    restore_comment,
)
from .rate_limits import RateLimited, check_comment_rate, comment_rate
from .reactions import add_reaction, remove_reaction, toggle_reaction
from .rendering import (
    MENTION_RE,
    author_payload,
    comment_event_data,
    mentioned_members,
    render_comment,
)
from .threads import append_thread_event, create_thread, open_thread

__all__ = [
    "MENTION_RE",
    "REASON_MAX",
    "RateLimited",
    "add_reaction",
    "announce_started_sessions",
    "append_thread_event",
    "appeal_hiding",
    "author_payload",
    "check_comment_rate",
    "close_live_session",
    "comment_event_data",
    "comment_max_length",
    "comment_rate",
    "create_thread",
    "decide_appeal",
    "delete_comment",
    "edit_comment",
    "flag_comment",
    "hide_comment",
    "mentioned_members",
    "open_thread",
    "post_comment",
    "remove_reaction",
    "render_comment",
    "restore_comment",
    "schedule_live_session",
    "session_event_data",
    "toggle_reaction",
]
