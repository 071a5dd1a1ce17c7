"""Proposal pages: list with filters and search, writing, the proposal with its
support, amendments, revisions and discussion. Every action is a plain form
(POST-redirect-GET, proposal_actions.py); htmx and a websocket only enhance. Forms:
proposal_forms.py; display helpers: proposal_display.py; the Atom feed and feed
blocks: proposal_feed.py; a unit's policy: policies.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from deliberation.errors import ServiceError
from deliberation.idempotency import create_once, request_key
from deliberation.inputs import query_int
from deliberation.members.models import Member, Unit
from deliberation.members.permissions import scope_unit_ids_of, unit_ids_of
from proposals import permissions, selectors, services
from proposals.diff import diff_html, revision_diff
from proposals.models import Proposal, State, Topic

from .front import public_proposal_list
from .preview import form_preview
from .proposal_display import poll_of, support_chart, timeline, with_cards
from .proposal_forms import (
    AmendmentForm,
    EditForm,
    FilterForm,
    ProposalForm,
    apply_errors,
)

PAGE_SIZES = (5, 10, 25, 50, 100)
# What a list card reads of a proposal (proposal_display.with_cards, _card.html).
CARD_FIELDS = (
    "id",
    "title",
    "state",
    "unit__name",
    "support_count",
    "support_needed",
    "phase_ends",
)


def _units_for(member):
    return list(Unit.objects.filter(pk__in=scope_unit_ids_of(member)).order_by("path"))


def proposal_list(request):
    if not request.user.is_authenticated:  # titles, units, states: public
        return public_proposal_list(request)
    units = list(Unit.objects.only("id", "name", "path").order_by("path"))
    topics = list(Topic.objects.all())
    form = FilterForm(request.GET or None, units=units, topics=topics)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)
        }
    qs = selectors.list_proposals(viewer=request.user, **filters).only(*CARD_FIELDS)
    # One of the sizes the page offers; anything else is the default.
    size = request.GET.get("page_size", "")
    size = int(size) if size in {str(n) for n in PAGE_SIZES} else 25
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    page.object_list = with_cards(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    author = (
        Member.objects.filter(pk=filters["author"]).first()
        if filters.get("author")
        else None
    )
    return render(
        request,
        "proposals/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "author": author,
            "feed_query": "&".join(
                f"{k}={filters[k]}" for k in ("unit", "topic") if k in filters
            ),
        },
    )


@login_required
def proposal_similar(request):
    """htmx partial while writing (and the no-JS page includes the same list)."""
    text = request.GET.get("title") or request.GET.get("q") or ""
    found = selectors.similar_proposals(viewer=request.user, text=text[:300])
    return render(request, "proposals/_similar.html", {"similar": found, "text": text})


@login_required
def proposal_new(request):
    units = _units_for(request.user)
    original = None
    alt_id = query_int(request.GET, "alternative_to") or query_int(
        request.POST, "alternative_to"
    )
    if alt_id:
        original = get_object_or_404(Proposal.objects.published(), pk=alt_id)
    preview_html = None
    if request.method == "POST":
        form = ProposalForm(request.POST, units=units)
        preview_html = form_preview(request, form)
        if preview_html is None and form.is_valid():
            data = form.cleaned_data
            try:
                proposal, _created = create_once(
                    member=request.user,
                    key=request_key(request),
                    model=Proposal,
                    create=lambda: services.create_proposal(
                        actor=request.user,
                        title=data["title"],
                        body=data["body"],
                        clauses=data["clauses"],
                        unit=Unit.objects.get(pk=data["unit"]),
                        topics=list(data["topics"]),
                        coauthors=data["coauthors"],
                        publish=data["publish"],
                        alternative_to=original,
                    ),
                )
            except (ServiceError, ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your proposal is published.")
                    if proposal.state != State.DRAFT
                    else _("Your draft is saved. Publish it when it is ready."),
                )
                return redirect("proposal_detail", pk=proposal.pk)
        status = 400 if preview_html is None else 200
    else:
        initial = {
            k: request.GET[k] for k in ("title", "body", "clauses") if k in request.GET
        }
        if original:
            initial.update(unit=original.unit_id, alternative_to=original.pk)
        elif units:
            own = unit_ids_of(request.user)
            initial.setdefault(
                "unit",
                max(
                    (u for u in units if u.pk in own),
                    key=lambda u: u.depth,
                    default=units[0],
                ).pk,
            )
        form = ProposalForm(initial=initial, units=units)
        status = 200
    similar = selectors.similar_proposals(
        viewer=request.user, text=request.GET.get("title", "")[:300]
    )
    return render(
        request,
        "proposals/new.html",
        {
            "form": form,
            "similar": similar,
            "original": original,
            "searched": "title" in request.GET,
            "no_units": not units,
            "preview_html": preview_html,
        },
        status=status,
    )


@login_required
def proposal_edit(request, pk: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    if not permissions.is_author(request.user, proposal):
        raise PermissionDenied(_("Only the proposal's authors may edit it."))
    initial = {
        "title": proposal.title,
        "body": proposal.body,
        "clauses": "\n".join(proposal.clauses),
        "topics": [topic_id for topic_id, _name in selectors.topic_refs(proposal)],
    }
    form = EditForm(request.POST or None, initial=initial)
    preview_html = form_preview(request, form)
    if preview_html is None and request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data["topics"] = list(data["topics"])
            services.update_proposal(proposal=proposal, actor=request.user, **data)
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved as a new revision."))
            return redirect("proposal_detail", pk=pk)
    return render(
        request,
        "proposals/edit.html",
        {"form": form, "proposal": proposal, "preview_html": preview_html},
        status=400 if request.method == "POST" and preview_html is None else 200,
    )


def proposal_detail(request, pk: int):
    if not request.user.is_authenticated:
        # Shareable link: a public teaser (title, unit, state, Open Graph) and a way in.
        proposal = get_object_or_404(
            Proposal.objects.published().select_related("unit"), pk=pk
        )
        return render(request, "proposals/teaser.html", {"proposal": proposal})
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    user = request.user
    authors = selectors.authorships_of(proposal)
    amendments = (
        list(selectors.amendments_of(proposal, viewer=user))
        if getattr(proposal, "has_amendments", True)
        else []
    )
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "authors": [a for a in authors if a.accepted_at],
            "invited": [a for a in authors if not a.accepted_at],
            "is_author": permissions.is_author(user, proposal),
            "is_invited": permissions.is_invited_coauthor(user, proposal),
            "can_support": (
                proposal.state in {State.GATHERING_SUPPORT, State.DISCUSSION}
                and permissions.can_support(user, proposal)
            ),
            "amendments": amendments,
            "amendment_form": AmendmentForm(),
            "can_amend": (
                proposal.state in {State.GATHERING_SUPPORT, State.DISCUSSION}
                and permissions.can_take_part(user, proposal)
            ),
            "can_write_alternative": (
                proposal.state == State.DISCUSSION
                and permissions.can_take_part(user, proposal)
            ),
            "group": selectors.alternative_group(proposal),
            "chart": support_chart(proposal),
            "timeline": timeline(proposal),
            "poll": poll_of(proposal),
            "state_labels_json": json.dumps({k: str(v) for k, v in State.choices}),
            "support_percent": min(
                100, round(100 * proposal.support_count / proposal.support_needed)
            )
            if proposal.support_needed
            else 0,
        },
    )


@login_required
def proposal_revisions(request, pk: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    revisions = list(selectors.revisions_of(proposal).order_by("-number"))
    return render(
        request,
        "proposals/revisions.html",
        {"proposal": proposal, "revisions": revisions},
    )


@login_required
def proposal_diff(request, pk: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)

    to = query_int(request.GET, "to", default=proposal.revision)
    from_ = query_int(request.GET, "from", default=max(1, to - 1))
    revisions = {
        r.number: r
        for r in selectors.revisions_of(proposal).filter(number__in=[from_, to])
    }
    if from_ not in revisions or to not in revisions:
        raise Http404(_("No such revision."))
    diff = revision_diff(revisions[from_], revisions[to])
    return render(
        request,
        "proposals/diff.html",
        {
            "proposal": proposal,
            "old": revisions[from_],
            "new": revisions[to],
            "title_html": diff_html(diff["title"]),
            "body_html": diff_html(diff["body"]),
            "clauses_html": [diff_html(c) for c in diff["clauses"]],
            "numbers": range(1, proposal.revision + 1),
        },
    )


@login_required
def amendment_detail(request, pk: int, amendment_id: int):
    proposal = selectors.get_visible_proposal(viewer=request.user, pk=pk)
    amendment = get_object_or_404(
        selectors.amendments_of(proposal, viewer=request.user), pk=amendment_id
    )
    from proposals.diff import word_diff

    return render(
        request,
        "proposals/amendment.html",
        {
            "proposal": proposal,
            "amendment": amendment,
            "change_html": diff_html(
                word_diff(amendment.original, amendment.replacement)
            ),
            "is_author": permissions.is_author(request.user, proposal),
            "can_support": permissions.can_take_part(request.user, proposal),
        },
    )
