"""The printable congress booklet: one HTML page with print styles (items, the
members' and delegates' results, the strongest arguments), and the same HTML as PDF
through WeasyPrint. WeasyPrint needs Pango (and its fonts) at run time; where they
are missing `render_pdf` raises BookletUnavailable and the page answers 503."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class BookletUnavailable(Exception):
    """The PDF renderer (WeasyPrint and its system libraries) is not available."""


def render_pdf(html: str, *, base_url: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango / GObject missing
        logger.warning("booklet PDF unavailable: %s", exc)
        raise BookletUnavailable(str(exc)) from exc
    try:
        return HTML(string=html, base_url=base_url).write_pdf()
    except OSError as exc:
        logger.warning("booklet PDF failed: %s", exc)
        raise BookletUnavailable(str(exc)) from exc
