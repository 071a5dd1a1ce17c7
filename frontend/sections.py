from deliberation.audit.rendering import render_entries
from deliberation.audit.selectors import list_audit_entries
from deliberation.members.selectors import memberships_of


def my_units(request):
    if not request.user.is_authenticated:
        return None
    return {
        "template": "members/_my_units.html",
        "memberships": list(memberships_of(request.user)),
    }


def recent_audit(request):
    entries = render_entries(list(list_audit_entries()[:5]))
    return {"template": "audit/_recent.html", "entries": entries}


def moderation_waiting(request):
    """Moderators: flagged comments and appeals waiting for them, with the way
    there (nothing for members who moderate nothing, or when nothing waits)."""
    if not request.user.is_authenticated:
        return None
    from deliberation.discussions.selectors import moderation_queue

    queue = moderation_queue(request.user)
    if not queue or not (queue["flags"] or queue["appeals"]):
        return None
    return {"template": "discussions/_moderation_waiting.html", **queue}
