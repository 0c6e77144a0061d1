"""Drawing charts as static SVG: axes, scales, legends, labels, and one drawing per chart kind.

Each SVG is an image with a <title> and <desc> (its text alternative); the page shows the table
of the numbers beside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from markupsafe import escape

from openpeel.publish.chart_data import GradeData, TrendData
from openpeel.publish.chart_style import (
    BOTTOM,
    EW,
    FORCE,
    GRADE_COLOURS,
    GRADE_TEXT,
    GRID,
    INK,
    LEFT,
    MUTED,
    OTHER,
    RIGHT,
    TOP,
    H,
    W,
    break_index,
    fmt,
)
from openpeel.publish.model import Chart


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


class Scale:
    def __init__(self, domain: tuple[float, float], span: tuple[float, float]) -> None:
        self.d0, self.d1 = domain
        self.r0, self.r1 = span

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)


def text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "middle",
    size: int = 12,
    fill: str = INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}"{extra}>{escape(text)}</text>'
    )


def open_svg(chart: Chart, width: int, height: int) -> list[str]:
    cid = escape(chart.chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-t {cid}-d" class="chart chart-{escape(chart.kind)}" '
        'font-family="Helvetica Neue, Arial, sans-serif">',
        f'<title id="{cid}-t">{escape(chart.title)}</title>',
        f'<desc id="{cid}-d">{escape(chart.summary)}</desc>',
    ]


def y_axis(
    lines: list[str],
    ticks: Iterable[float],
    y: Scale,
    left: float,
    right: float,
    label: str,
    suffix: str = "",
) -> None:
    for t in ticks:
        yy = y(t)
        lines.append(f'<line x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        lines.append(text(left - 6, yy + 4, f"{t:g}{suffix}", anchor="end", size=11, fill=MUTED))
    lines.append(
        text(
            14,
            TOP + (H - TOP - BOTTOM) / 2,
            label,
            size=11,
            fill=MUTED,
            extra=f' transform="rotate(-90 14 {TOP + (H - TOP - BOTTOM) / 2:.1f})"',
        )
    )


LEGEND_ROW = 20


def legend(lines: list[str], items: Sequence[tuple[str, str]], y: float, width: int = W) -> None:
    """items: (svg snippet drawn at x=0..24 around y=0, label); an item that would run past
    `width` starts a new row LEGEND_ROW below."""
    x = 10.0
    for glyph, label in items:
        step = 38 + 6.4 * len(label)
        if x > 10.0 and x + step > width:
            x, y = 10.0, y + LEGEND_ROW
        lines.append(f'<g transform="translate({x:.1f},{y:.1f})">{glyph}</g>')
        lines.append(text(x + 30, y + 4, label, anchor="start", size=11))
        x += step


def trend_svg(chart: Chart, data: TrendData) -> str:
    ind = data.indicator
    pts = data.points
    values = [v for p in pts for v in (p.value, p.ew_value) if v is not None]
    ticks = nice_ticks(0.0, max(values) * 1.05)
    x = Scale((0, len(pts) - 1), (LEFT + 20, W - RIGHT - 20))
    y = Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = open_svg(chart, W, H)
    y_axis(lines, ticks, y, LEFT, W - RIGHT, ind.unit)
    for i, p in enumerate(pts):
        lines.append(text(x(i), H - BOTTOM + 18, str(p.period_end.year), size=11, fill=MUTED))

    def path(getter: str) -> list[tuple[float, float]]:
        out = []
        for i, p in enumerate(pts):
            v = getattr(p, getter)
            if v is not None:
                out.append((x(i), y(v)))
        return out

    cut = break_index(ind, pts)
    if cut is not None:
        bx = (x(cut - 1) + x(cut)) / 2
        lines.append(
            f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="{TOP}" y2="{H - BOTTOM}" stroke="{MUTED}" '
            'stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
        lines.append(text(bx + 4, TOP + 12, "recording change", anchor="start", size=11, fill=MUTED))
    ew_pts = path("ew_value")
    if len(ew_pts) > 1:
        d = " ".join(f"{a:.1f},{b:.1f}" for a, b in ew_pts)
        lines.append(
            f'<polyline points="{d}" fill="none" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/>'
        )
        lines += [
            f'<rect x="{a - 4:.1f}" y="{b - 4:.1f}" width="8" height="8" fill="{EW}"/>' for a, b in ew_pts
        ]
    me = path("value")
    if len(me) > 1:
        d = " ".join(f"{a:.1f},{b:.1f}" for a, b in me)
        lines.append(f'<polyline points="{d}" fill="none" stroke="{FORCE}" stroke-width="3"/>')
        lines += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4.5" fill="{FORCE}"/>' for a, b in me]
        last = pts[-1]
        if last.value is not None:
            lines.append(
                text(me[-1][0], me[-1][1] - 10, fmt(last.value, ind), size=11, weight="bold", fill=FORCE)
            )
    legend(
        lines,
        [
            (
                f'<line x1="0" x2="24" y1="0" y2="0" stroke="{FORCE}" stroke-width="3"/><circle cx="12" cy="0" r="4.5" fill="{FORCE}"/>',
                data.area_name,
            ),
            (
                f'<line x1="0" x2="24" y1="0" y2="0" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/><rect x="8" y="-4" width="8" height="8" fill="{EW}"/>',
                "England and Wales (dashed)",
            ),
        ],
        H - 18,
    )
    lines.append("</svg>")
    return "\n".join(lines)


def grades_svg(chart: Chart, data: GradeData) -> str:
    row_h, gap, label_w = 30, 34, 250
    height = TOP + len(data.questions) * (row_h + gap)
    total = max((sum(r) for r in data.counts), default=1) or 1
    x = Scale((0, total), (label_w, W - RIGHT))
    lines = open_svg(chart, W, height)
    for qi, (question, row) in enumerate(zip(data.questions, data.counts, strict=True)):
        top = TOP + qi * (row_h + gap)
        lines.append(text(0, top - 6, question, anchor="start", size=12, weight="bold"))
        start = 0
        for grade, n in zip(data.grades, row, strict=True):
            if not n:
                continue
            x0, x1 = x(start), x(start + n)
            colour = GRADE_COLOURS.get(grade, OTHER)
            lines.append(
                f'<rect x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{row_h}" fill="{colour}" stroke="#ffffff"/>'
            )
            if x1 - x0 > 22:
                lines.append(
                    text(
                        (x0 + x1) / 2,
                        top + row_h / 2 + 4,
                        str(n),
                        size=12,
                        weight="bold",
                        fill=GRADE_TEXT.get(grade, INK),
                    )
                )
            start += n
        said = ", ".join(f"{n} {g.lower()}" for g, n in zip(data.grades, row, strict=True) if n)
        lines.append(
            text(
                0,
                top + row_h / 2 + 4,
                said,
                anchor="start",
                size=11,
                fill=MUTED,
                extra=f' textLength="{min(label_w - 12, 6 * len(said))}" lengthAdjust="spacingAndGlyphs"',
            )
        )
    lines.append("</svg>")
    return "\n".join(lines)
