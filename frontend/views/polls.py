"""Poll pages: the list, one poll (ballot, live turnout, result with charts), casting
a ballot through the same service as the API (the receipt is shown once), and a page
that recounts the public bulletin in the browser. Display helpers: poll_display.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from deliberation.errors import NotAllowed, ServiceError
from voting import selectors, services
from voting.delegated import my_vote_now
from voting.models import Poll, PollState

from .poll_display import ballot_payload, questions_for_display, result_for_display

STATES = ("open", "closed")


def _poll_or_404(request: HttpRequest, pk: int) -> Poll:
    try:
        return selectors.get_poll(viewer=request.user, pk=pk)
    except Poll.DoesNotExist as exc:
        raise Http404 from exc


def _errors_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return [m for msgs in exc.message_dict.values() for m in msgs]
        return list(exc.messages)
    return [str(getattr(exc, "detail", exc))]


@login_required
def poll_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state")
    state = state if state in STATES else None
    qs = selectors.list_polls(viewer=request.user, state=state).select_related("unit")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "polls/list.html", {"page": page, "polls": page, "state": state}
    )


def _context(request: HttpRequest, poll: Poll, **extra: object) -> dict:
    questions = questions_for_display(poll)
    participations = selectors.turnout_of(poll)
    phase = poll.phase()
    ctx: dict = {
        "poll": poll,
        "phase": phase,
        "questions": questions,
        # annotated by the selector for a signed-in viewer (no extra queries)
        "on_roll": bool(getattr(poll, "viewer_eligible", False)),
        "has_voted": bool(getattr(poll, "viewer_has_voted", False)),
        "participations": participations,
        "result": result_for_display(poll, questions) if phase == "closed" else None,
        "proposals": list(poll.proposals.all()),
        "choices": ("yes", "no", "abstain"),
    }
    if poll.delegation and phase == "open" and request.user.is_authenticated:
        ctx["my_vote"] = my_vote_now(poll, request.user)
    if participations and poll.eligible_count:
        ctx["turnout_percent"] = round(100 * participations / poll.eligible_count, 1)
    ctx.update(extra)
    return ctx


@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    return render(request, "polls/detail.html", _context(request, poll))


@login_required
@require_POST
def poll_vote(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    questions = questions_for_display(poll)
    receipt = (request.POST.get("receipt") or "").strip() or None
    try:
        cast = services.cast_ballot(
            poll=poll.pk,
            member=request.user,  # type: ignore[arg-type]
            payload=ballot_payload(request.POST, questions),
            receipt=receipt,
        )
    except (ValidationError, ServiceError, NotAllowed) as exc:
        ctx = _context(request, poll, errors=_errors_of(exc), posted=request.POST)
        status = 403 if isinstance(exc, NotAllowed) else 400
        return render(request, "polls/detail.html", ctx, status=status)
    response = render(
        request,
        "polls/receipt.html",
        {"poll": poll, "receipt": cast.receipt, "replaced": cast.replaced},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def poll_recount(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    return render(
        request,
        "polls/recount.html",
        {"poll": poll, "closed": poll.state == PollState.CLOSED},
    )
