"""Markdown preview while writing a proposal or a comment, rendered on the server with
the sanitiser every published text goes through (`deliberation/markdown.py`).

- `POST /markdown/preview/` (`text`): the HTML fragment preview.js shows under the
  field. Members only, CSRF-checked like every form, at most PREVIEW_MAX_CHARS
  characters (413) and PREVIEW_RATE previews a minute per member (429 with
  `Retry-After`); the answer is a plain-text message otherwise, never a 500.
- Without JavaScript the forms' "Preview" submit button (`name="preview"`) posts the
  whole form; its view re-renders it with `preview_html` and saves nothing
  (`form_preview`)."""

from __future__ import annotations

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation import counters
from deliberation.markdown import render_markdown
from proposals.services._common import BODY_MAX

PREVIEW_RATE = 60  # previews per member per PREVIEW_WINDOW seconds
PREVIEW_WINDOW = 60


def preview_max_chars() -> int:
    """The longest text a member can write anywhere (a proposal's rationale)."""
    return max(BODY_MAX, settings.COMMENT_MAX_LENGTH)


def render_preview(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 — sanitised by nh3


@require_POST
def markdown_preview(request):
    if not request.user.is_authenticated:
        return _text(_("Sign in to preview."), 403)
    text = request.POST.get("text", "")
    if len(text) > preview_max_chars():
        return _text(
            _("The text is too long to preview (at most %(n)s characters).")
            % {"n": f"{preview_max_chars():,}"},
            413,
        )
    count = counters.hit(f"md-preview:{request.user.pk}", window=PREVIEW_WINDOW)
    if count.value > PREVIEW_RATE:
        response = _text(_("Too many previews; try again in a minute."), 429)
        response["Retry-After"] = str(count.retry_after or PREVIEW_WINDOW)
        return response
    response = HttpResponse(render_preview(text), content_type="text/html")
    response["Cache-Control"] = "no-store"
    return response


def form_preview(request, form, field: str = "body") -> SafeString | None:
    """For a form posted with its "Preview" button: the preview of `field` (and the
    form keeps what was typed but shows no validation errors yet); else None."""
    if request.method != "POST" or "preview" not in request.POST:
        return None
    form._errors = ErrorDict()  # a preview is not a submission: no errors yet
    form.cleaned_data = {}
    return render_preview(request.POST.get(field, "")[: preview_max_chars()])


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(
        message, status=status, content_type="text/plain; charset=utf-8"
    )
