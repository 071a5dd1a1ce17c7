"""Delegation pages: the member's delegations on /settings/ (give, rank fallbacks,
renew, revoke — plain forms, no JavaScript needed), and the delegation graph of a
unit or topic (server-rendered SVG with a table beside). The same services and
selectors as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delegations import permissions, selectors, services
from delegations.models import MAX_TRUSTEES
from deliberation.errors import NotAllowed, ServiceError
from deliberation.inputs import query_int
from deliberation.members.models import Member, Membership, Unit
from deliberation.members.viewer import member_of
from proposals.models import Topic
from proposals.selectors import policy_for_unit

from .delegation_display import graph_layout, graph_table


def _back() -> HttpResponse:
    return redirect(reverse("settings") + "#delegations")


def scope_choices(member: Member) -> list[tuple[str, str]]:
    """The units the member belongs to (and those above them) whose policy allows
    delegation, then every topic."""
    paths = (
        Membership.objects.current()
        .filter(member=member)
        .values_list("unit__path", flat=True)
    )
    ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    choices = [
        (f"unit:{u.pk}", u.name)
        for u in Unit.objects.filter(pk__in=ids).order_by("path")
        if policy_for_unit(u).delegation_allowed
    ]
    choices += [
        (f"topic:{t.pk}", _("Topic: %(name)s") % {"name": t.name})
        for t in Topic.objects.order_by("name")
    ]
    return choices


def settings_context(member: Member) -> dict:
    return {
        "delegations": list(selectors.own_delegations(member=member)),
        "delegation_scopes": scope_choices(member),
        "trustee_slots": range(MAX_TRUSTEES),
    }


def _parse_scope(value: str) -> tuple[Unit | None, Topic | None]:
    kind, _sep, raw = (value or "").partition(":")
    pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    if kind == "unit" and pk:
        unit = Unit.objects.filter(pk=pk).first()
        if unit:
            return unit, None
    if kind == "topic" and pk:
        topic = Topic.objects.filter(pk=pk).first()
        if topic:
            return None, topic
    raise ServiceError(_("Choose a unit or a topic."), code="scope")


def _trustee_ids(request: HttpRequest) -> list[int]:
    names = [
        (request.POST.get(f"trustee_{n}") or "").strip().lstrip("@")
        for n in range(MAX_TRUSTEES)
    ]
    names = [n for n in names if n]
    found = {
        m.username.lower(): m.pk
        for m in Member.objects.filter(username__in=names, is_active=True)
    }
    unknown = [n for n in names if n.lower() not in found]
    if unknown:
        raise ServiceError(
            _("No member is called %(names)s.") % {"names": ", ".join(unknown)},
            code="no_such_member",
        )
    return [found[n.lower()] for n in names]


@login_required
@require_POST
def give(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    try:
        unit, topic = _parse_scope(request.POST.get("scope", ""))
        delegation, created = services.give_delegation(
            truster=member, trustees=_trustee_ids(request), unit=unit, topic=topic
        )
    except (ServiceError, NotAllowed) as exc:
        messages.error(request, str(exc))
        return _back()
    messages.success(
        request,
        _("Your vote is delegated for %(scope)s.") % {"scope": delegation.scope_label}
        if created
        else _("Your delegation for %(scope)s is renewed.")
        % {"scope": delegation.scope_label},
    )
    return _back()


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = services.renew_delegation(truster=member_of(request), delegation_id=pk)
    messages.success(
        request,
        _("Your delegation for %(scope)s is renewed.")
        % {"scope": delegation.scope_label},
    )
    return _back()


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.revoke_delegation(truster=member_of(request), delegation_id=pk)
    messages.success(request, _("The delegation is revoked."))
    return _back()


@login_required
def graph(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_graph(request.user):
        raise PermissionDenied
    unit_id = query_int(request.GET, "unit")
    topic_id = query_int(request.GET, "topic")
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    if (unit_id and unit is None) or (topic_id and topic is None):
        raise Http404
    context: dict = {
        "unit": unit,
        "topic": topic,
        "units": Unit.objects.order_by("path"),
        "topics": Topic.objects.order_by("name"),
    }
    if unit or topic:
        found = selectors.delegation_graph(unit=unit, topic=topic)
        context["graph"] = found
        context["layout"] = graph_layout(found)
        context["table"] = graph_table(found)
        context["policy"] = selectors.policy_for_scope(unit=unit)
    return render(request, "delegations/graph.html", context)
