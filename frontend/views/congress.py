"""Congress pages (docs/congress.md): the congresses, a congress's overview with
filters and sorting, each item's dossier (with the delegate's review and roll-call
forms, plain HTML forms that work without JavaScript), each delegate's public record,
and the booklet (HTML with print styles, and PDF). Members only, as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress import dossier, permissions, selectors, services
from congress.api.views import DECISION_FILTER, ORDERING, items_from_params
from congress.booklet import BookletUnavailable, render_pdf
from congress.charts import support_svg
from congress.models import VOTES, Congress, CongressItem
from deliberation.errors import NotAllowed, ServiceError
from deliberation.members.viewer import member_of
from proposals.models import Topic

from .congress_display import clause_rows, unit_choices


@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.list_congresses(), 25).get_page(request.GET.get("page"))
    return render(request, "congress/list.html", {"page": page})


@login_required
def congress_overview(request: HttpRequest, pk: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    qs = items_from_params(congress, request.GET)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    delegate = permissions.delegate_of(request.user, congress)
    reviewed = set()
    if delegate is not None:
        reviewed = set(delegate.reviews.values_list("item_id", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "congress/overview.html",
        {
            "congress": congress,
            "page": page,
            "items": [(i, i.pk in reviewed) for i in page.object_list],
            "delegate": delegate,
            "topics": Topic.objects.order_by("name"),
            "units": unit_choices(),
            "orderings": ORDERING,
            "decisions": DECISION_FILTER,
            "params": request.GET,
            "query": query.urlencode(),
            "delegates": selectors.list_delegates(congress=congress),
        },
    )


def _item_context(request: HttpRequest, congress: Congress, item: CongressItem) -> dict:
    delegate = permissions.delegate_of(request.user, congress)
    history = dossier.support_history(item.proposal_id)
    votes = dossier.roll_call(item)
    mine = {v.clause_id: v for v in votes if delegate and v.delegate_id == delegate.pk}
    review = delegate.reviews.filter(item=item).first() if delegate else None
    return {
        "congress": congress,
        "item": item,
        "proposal": item.proposal,
        "clauses": clause_rows(item, votes, delegate, mine),
        "revisions": dossier.revisions_of(item),
        "amendments": dossier.amendments_of(item),
        "history": history,
        "chart": support_svg(history, needed=item.proposal.support_needed or None),
        "arguments": dossier.arguments_of(item, request.user),
        "breakdown": _breakdown(item),
        "followups": dossier.followups_of(item),
        "delegate": delegate,
        "review": review,
        "votes": VOTES,
        "can_vote": delegate is not None
        and congress.state == "in_session"
        and item.decided_at is None,
    }


def _breakdown(item: CongressItem) -> list[dict]:
    names = dossier.unit_names(g.get("unit") for g in item.breakdown or [])
    numbers = {c.question: c.number for c in item.clauses.all()}
    return [
        {
            "unit": names.get(g.get("unit"), ""),
            "ballots": g.get("ballots"),
            "questions": [
                {"number": numbers.get(q["question"]), **q["counts"]}
                for q in g.get("questions", [])
                if q["question"] in numbers
            ],
        }
        for g in item.breakdown or []
    ]


@login_required
def item_dossier(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    found = selectors.get_item(congress=congress, pk=item)
    return render(
        request, "congress/item.html", _item_context(request, congress, found)
    )


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_POST
def item_vote(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    found = selectors.get_item(congress=congress, pk=item)
    try:
        clause = int(request.POST.get("clause") or 0)
    except ValueError:
        clause = 0
    try:
        services.cast_delegate_vote(
            actor=member_of(request),
            congress=congress,
            item=found.pk,
            clause=clause,
            vote=request.POST.get("vote") or "",
            explanation=request.POST.get("explanation") or "",
        )
    except (ValidationError, ServiceError, NotAllowed) as exc:
        messages.error(request, _errors(exc))
        status = 403 if isinstance(exc, NotAllowed) else 400
        ctx = _item_context(request, congress, found)
        return render(request, "congress/item.html", ctx, status=status)
    messages.success(request, _("Your vote is recorded."))
    return redirect(found.get_absolute_url() + "#roll-call")


@login_required
@require_POST
def item_review(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    found = selectors.get_item(congress=congress, pk=item)
    try:
        services.review_item(
            actor=member_of(request),
            congress=congress,
            item=found.pk,
            recommendation=request.POST.get("recommendation") or "",
        )
    except (ValidationError, ServiceError, NotAllowed) as exc:
        messages.error(request, _errors(exc))
        status = 403 if isinstance(exc, NotAllowed) else 400
        ctx = _item_context(request, congress, found)
        return render(request, "congress/item.html", ctx, status=status)
    messages.success(request, _("Marked as reviewed."))
    return redirect(found.get_absolute_url() + "#review")


@login_required
def delegate_record(request: HttpRequest, pk: int, delegate: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    found = selectors.get_delegate(congress=congress, pk=delegate)
    return render(
        request,
        "congress/delegate.html",
        {
            "congress": congress,
            "delegate": found,
            "rows": selectors.delegate_record(found),
        },
    )


def _booklet_html(request: HttpRequest, congress: Congress) -> str:
    items = list(selectors.list_items(congress=congress))
    entries = []
    for item in items:
        entries.append(
            {
                "item": item,
                "clauses": clause_rows(item, [], None, {}),
                "arguments": dossier.arguments_of(item, request.user),
            }
        )
    return render_to_string(
        "congress/booklet.html",
        {"congress": congress, "entries": entries},
        request=request,
    )


@login_required
def booklet(request: HttpRequest, pk: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    return HttpResponse(_booklet_html(request, congress))


@login_required
def booklet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    congress = selectors.get_congress(pk)
    html = _booklet_html(request, congress)
    try:
        pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    except BookletUnavailable:
        message = _(
            "The PDF cannot be made on this server (the PDF renderer, WeasyPrint "
            "with Pango, is not installed). The printable booklet is at %(url)s."
        ) % {"url": f"/congress/{congress.pk}/booklet/"}
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"detail": message, "code": "pdf_unavailable"}, status=503
            )
        return render(
            request,
            "errors/error.html",
            {"title": _("PDF not available"), "message": message},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="congress-{congress.pk}.pdf"'
    return response
