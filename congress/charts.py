"""The support-over-time chart as server-rendered SVG (no JavaScript): a step line
of the cumulative supports by day, with the quorum line when known. The page shows
the same figures in a table beside it."""

from __future__ import annotations

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

W, H, PAD = 420, 160, 28


def support_svg(
    history: list[tuple[date, int, int]], *, needed: int | None = None
) -> SafeString:
    if not history:
        return mark_safe("")
    top = max([t for _d, _n, t in history] + [needed or 0, 1])
    days = [d for d, _n, _t in history]
    span = max((days[-1] - days[0]).days, 1)

    def x(d: date) -> float:
        return PAD + (W - 2 * PAD) * (d - days[0]).days / span

    def y(v: int) -> float:
        return H - PAD - (H - 2 * PAD) * v / top

    points = []
    previous = 0
    for d, _n, total in history:
        points.append(f"{x(d):.1f},{y(previous):.1f}")
        points.append(f"{x(d):.1f},{y(total):.1f}")
        previous = total
    title = _("Support over time: %(total)d supports from %(first)s to %(last)s") % {
        "total": history[-1][2],
        "first": days[0].isoformat(),
        "last": days[-1].isoformat(),
    }
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {W} {H}" width="100%" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" '
        'stroke="currentColor" stroke-width="1"/>',
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2.5" '
        f'points="{" ".join(points)}"/>',
        f'<text x="{PAD}" y="{H - 8}" font-size="11">{days[0].isoformat()}</text>',
        f'<text x="{W - PAD}" y="{H - 8}" font-size="11" text-anchor="end">'
        f"{days[-1].isoformat()}</text>",
        f'<text x="{PAD}" y="{PAD - 8}" font-size="11">{history[-1][2]}</text>',
    ]
    if needed:
        parts.append(
            f'<line x1="{PAD}" y1="{y(needed):.1f}" '
            f'x2="{W - PAD}" y2="{y(needed):.1f}" '
            'stroke="#7a4b00" stroke-dasharray="4 3"/>'
            f'<text x="{W - PAD}" y="{y(needed) - 4:.1f}" font-size="11" '
            f'text-anchor="end">{escape(_("quorum %(n)d") % {"n": needed})}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
