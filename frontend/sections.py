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
