from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from deliberation.audit.registry import registered_actions
from deliberation.audit.rendering import render_entries
from deliberation.audit.selectors import AuditFilters, list_audit_entries
from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.permissions import can_manage_roles, is_member_of
from deliberation.members.selectors import list_units, subtree_member_counts
from frontend.feed import home_sections
from frontend.views.roles import GrantRoleForm


def home(request):
    return render(request, "home.html", {"sections": home_sections(request)})


def unit_list(request):
    units = list(list_units())
    counts = subtree_member_counts()
    for unit in units:
        unit.member_count = counts.get(unit.pk, 0)
    return render(request, "members/unit_list.html", {"units": units})


def unit_detail(request, pk: int):
    unit = get_object_or_404(list_units().select_related("parent"), pk=pk)
    counts = subtree_member_counts()
    children = list(list_units().filter(parent=unit))
    for child in children:
        child.member_count = counts.get(child.pk, 0)
    ancestors = list(
        list_units().filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth")
    )
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "member_count": counts.get(unit.pk, 0),
            "children": children,
            "ancestors": ancestors,
            "is_member": is_member_of(request.user, unit),
            "can_manage_roles": can_manage_roles(request.user, unit),
            "grant_form": GrantRoleForm(initial={"starts": timezone.localdate()}),
            "is_branch": unit.kind == UnitKind.BRANCH,
            "extra_sections": unit_sections(request, unit),
        },
    )


def unit_sections(request, unit):
    """Other areas contribute blocks to the unit page (proposals, discussions)."""
    from frontend.feed import unit_sections as collect

    return collect(request, unit)


def audit_log(request):
    """The public log, rendered in the reader's language, filtered by action, unit,
    member and period (the same filters as `GET /api/v1/audit-log/`)."""
    filters = AuditFilters.from_query(request.GET)
    qs = list_audit_entries(filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = render_entries(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "actions": registered_actions(),
            "units": list(Unit.objects.order_by("path").only("pk", "name", "depth")),
            "member": (
                Member.objects.filter(pk=filters.member).first()
                if filters.member
                else None
            ),
        },
    )
