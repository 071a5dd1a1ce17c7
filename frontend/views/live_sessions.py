"""Live session pages: a facilitator schedules a session and closes it with
minutes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from deliberation.discussions import permissions as perms
from deliberation.discussions import selectors, services
from deliberation.errors import ServiceError
from deliberation.inputs import query_int
from deliberation.members.models import Unit

from .discussion_forms import MinutesForm, SessionForm


@login_required
def session_new(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    if not perms.can_run_live_session(request.user, unit):
        raise PermissionDenied(
            _("Only a facilitator of this unit can schedule sessions.")
        )
    thread_id = query_int(request.GET, "thread")
    thread = (
        selectors.readable_threads(request.user).filter(pk=thread_id, unit=unit).first()
        if thread_id
        else None
    )
    form = SessionForm(
        request.POST or None, initial={"title": thread.title if thread else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_live_session(
                unit=unit, facilitator=request.user, thread=thread, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect(session.thread.get_absolute_url())
    return render(
        request,
        "discussions/session_form.html",
        {
            "unit": unit,
            "form": form,
            "thread": thread,
            "title": _("Schedule a live session"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def session_close(request, sid: int):
    session = get_object_or_404(
        selectors.list_live_sessions(viewer=request.user), pk=sid
    )
    if not perms.can_run_live_session(request.user, session.unit):
        raise PermissionDenied(
            _("Only a facilitator of this unit can close the session.")
        )
    form = MinutesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_live_session(
                session=session,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The session is closed; the minutes are on the thread.")
            )
            return redirect(session.thread.get_absolute_url())
    return render(
        request,
        "discussions/session_form.html",
        {
            "unit": session.unit,
            "form": form,
            "session": session,
            "title": _("Close the session with minutes"),
        },
        status=400 if form.errors else 200,
    )
