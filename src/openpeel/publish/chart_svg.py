"""Drawing charts as static SVG: axes, scales, legends, labels, and one drawing per chart kind.

Each SVG is an image with a <title> and <desc> (its text alternative); the page shows the table
of the numbers beside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from openpeel.core.statistics import Z_95, Z_998
from openpeel.forces import get_force
from openpeel.publish.chart_data import AreaValue, GradeData, SectionData, TrendData, control_limits
from openpeel.publish.chart_style import (
    BOTTOM,
    CHANCE,
    EW,
    FORCE,
    GRADE_COLOURS,
    GRADE_TEXT,
    GRID,
    HALO,
    INK,
    LEFT,
    MUTED,
    OTHER,
    PEER,
    RIGHT,
    TOP,
    H,
    W,
    _limits,
    break_index,
    fmt,
    unit_label,
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


class _Scale:
    def __init__(self, domain: tuple[float, float], span: tuple[float, float]) -> None:
        self.d0, self.d1 = domain
        self.r0, self.r1 = span

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)


def _text(
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


def _open(chart: Chart, width: int, height: int) -> list[str]:
    cid = escape(chart.chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-t {cid}-d" class="chart chart-{escape(chart.kind)}" '
        'font-family="Helvetica Neue, Arial, sans-serif">',
        f'<title id="{cid}-t">{escape(chart.title)}</title>',
        f'<desc id="{cid}-d">{escape(chart.summary)}</desc>',
    ]


def _y_axis(
    lines: list[str],
    ticks: Iterable[float],
    y: _Scale,
    left: float,
    right: float,
    label: str,
    suffix: str = "",
) -> None:
    for t in ticks:
        yy = y(t)
        lines.append(f'<line x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        lines.append(_text(left - 6, yy + 4, f"{t:g}{suffix}", anchor="end", size=11, fill=MUTED))
    lines.append(
        _text(
            14,
            TOP + (H - TOP - BOTTOM) / 2,
            label,
            size=11,
            fill=MUTED,
            extra=f' transform="rotate(-90 14 {TOP + (H - TOP - BOTTOM) / 2:.1f})"',
        )
    )


LEGEND_ROW = 20


def _legend(lines: list[str], items: Sequence[tuple[str, str]], y: float, width: int = W) -> None:
    """items: (svg snippet drawn at x=0..24 around y=0, label); an item that would run past
    `width` starts a new row LEGEND_ROW below."""
    x = 10.0
    for glyph, label in items:
        step = 38 + 6.4 * len(label)
        if x > 10.0 and x + step > width:
            x, y = 10.0, y + LEGEND_ROW
        lines.append(f'<g transform="translate({x:.1f},{y:.1f})">{glyph}</g>')
        lines.append(_text(x + 30, y + 4, label, anchor="start", size=11))
        x += step


def _trend_svg(chart: Chart, data: TrendData) -> str:
    ind = data.indicator
    pts = data.points
    values = [v for p in pts for v in (p.value, p.ew_value) if v is not None]
    ticks = nice_ticks(0.0, max(values) * 1.05)
    x = _Scale((0, len(pts) - 1), (LEFT + 20, W - RIGHT - 20))
    y = _Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = _open(chart, W, H)
    _y_axis(lines, ticks, y, LEFT, W - RIGHT, ind.unit)
    for i, p in enumerate(pts):
        lines.append(_text(x(i), H - BOTTOM + 18, str(p.period_end.year), size=11, fill=MUTED))

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
        lines.append(_text(bx + 4, TOP + 12, "recording change", anchor="start", size=11, fill=MUTED))
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
                _text(me[-1][0], me[-1][1] - 10, fmt(last.value, ind), size=11, weight="bold", fill=FORCE)
            )
    _legend(
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


def _funnel_svg(chart: Chart, data: SectionData) -> str:
    section = data.section
    ind = section.indicator
    ew = section.ew_value or 0.0
    rows = section.rows
    pops = [r.denominator for r in rows]
    # Populations run from about 0.3 to 9 million: a log scale keeps the small forces apart.
    x_ticks = [
        t for t in (1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7, 2.5e7) if min(pops) / 2.5 <= t <= max(pops) * 2.5
    ]
    lx0, lx1 = math.log10(min(min(pops) * 0.8, x_ticks[0])), math.log10(max(max(pops) * 1.2, x_ticks[-1]))
    curve_x = [10 ** (lx0 + (lx1 - lx0) * i / 60) for i in range(61)]
    limits = {z: [_limits(section, px, z) for px in curve_x] for z in (Z_95, Z_998)}
    material = (ew * (1 - ind.materiality), ew * (1 + ind.materiality))
    # The 99.8% limits at the smallest force set the range, so both limits are seen in full.
    values = [r.value for r in rows] + list(material) + list(_limits(section, min(pops), Z_998))
    span = max(values) - min(values)
    ticks = nice_ticks(max(0.0, min(values) - span * 0.05), max(values) + span * 0.05)
    lin = _Scale((lx0, lx1), (LEFT, W - RIGHT))

    def x(pop: float) -> float:
        return lin(math.log10(pop))

    y = _Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = _open(chart, W, H + LEGEND_ROW)
    lines.append(
        f'<clipPath id="{escape(chart.chart_id)}-clip"><rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}"/></clipPath>'
    )
    band_top, band_bottom = y(material[1]), y(material[0])
    lines.append(
        f'<rect x="{LEFT}" y="{band_top:.1f}" width="{W - LEFT - RIGHT}" height="{band_bottom - band_top:.1f}" fill="#eef2f7"/>'
    )
    _y_axis(lines, ticks, y, LEFT, W - RIGHT, ind.unit)
    for t in x_ticks:
        lines.append(_text(x(t), H - BOTTOM + 18, f"{t / 1e6:g}m", size=11, fill=MUTED))
    lines.append(
        _text(
            (LEFT + W - RIGHT) / 2, H - BOTTOM + 34, "population (millions, log scale)", size=11, fill=MUTED
        )
    )
    clip = f' clip-path="url(#{escape(chart.chart_id)}-clip)"'
    for z, dash, width in ((Z_95, "2 3", 1.5), (Z_998, "", 1.5)):
        for side in (0, 1):
            d = " ".join(
                f"{x(px):.1f},{y(lim[side]):.1f}" for px, lim in zip(curve_x, limits[z], strict=True)
            )
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            lines.append(
                f'<polyline points="{d}" fill="none" stroke="{MUTED}" stroke-width="{width}"{dash_attr}{clip}/>'
            )
    lines.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(ew):.1f}" y2="{y(ew):.1f}" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/>'
    )
    if section.tau2:
        # Chance alone draws the classic funnel; the adjusted limits above it are nearly level
        # because the ordinary spread between forces outweighs chance at forces' sizes.
        chance = [control_limits(ind, ew, px, Z_998) for px in curve_x]
        for side in (0, 1):
            d = " ".join(f"{x(px):.1f},{y(lim[side]):.1f}" for px, lim in zip(curve_x, chance, strict=True))
            lines.append(
                f'<polyline points="{d}" fill="none" stroke="{CHANCE}" stroke-width="1.2" stroke-dasharray="1 3"{clip}/>'
            )
    me = None
    for r in rows:
        if r.area_id == data.area_id:
            me = r
            continue
        lines.append(
            f'<circle cx="{x(r.denominator):.1f}" cy="{y(r.value):.1f}" r="3.5" fill="{OTHER}" fill-opacity="0.85"/>'
        )
        low, high = _limits(section, r.denominator, Z_95)
        if not low <= r.value <= high:
            cx = x(r.denominator)
            anchor = "start" if cx < W * 0.7 else "end"
            lines.append(
                _text(
                    cx + (7 if anchor == "start" else -7),
                    y(r.value) + 4,
                    get_force(r.area_id).short_name,
                    anchor=anchor,
                    size=11,
                    extra=HALO,
                )
            )
    if me is not None:
        cx, cy = x(me.denominator), y(me.value)
        lines.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="{FORCE}" stroke="#ffffff" stroke-width="2"/>'
        )
        anchor = "start" if cx < W * 0.7 else "end"
        dx = 11 if anchor == "start" else -11
        lines.append(
            _text(
                cx + dx,
                cy + 4,
                f"{data.area_label} {fmt(me.value, ind)}",
                anchor=anchor,
                size=12,
                weight="bold",
                fill=FORCE,
                extra=HALO,
            )
        )
    _legend(
        lines,
        [
            (f'<circle cx="12" cy="0" r="6" fill="{FORCE}"/>', data.area_label or "force"),
            (
                f'<line x1="0" x2="24" y1="0" y2="0" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/>',
                "England and Wales",
            ),
            (
                f'<line x1="0" x2="24" y1="0" y2="0" stroke="{MUTED}" stroke-dasharray="2 3" stroke-width="1.5"/>',
                "95% limit",
            ),
            (f'<line x1="0" x2="24" y1="0" y2="0" stroke="{MUTED}" stroke-width="1.5"/>', "99.8% limit"),
            *(
                [
                    (
                        f'<line x1="0" x2="24" y1="0" y2="0" stroke="{CHANCE}" stroke-dasharray="1 3" stroke-width="1.2"/>',
                        "chance alone",
                    )
                ]
                if section.tau2
                else []
            ),
            (
                '<rect x="0" y="-6" width="24" height="12" fill="#eef2f7" stroke="#c8ced6"/>',
                f"within ±{ind.materiality:.0%}",
            ),
        ],
        H - 10,
    )
    lines.append("</svg>")
    return "\n".join(lines)


RANKED_LABEL_SPACE = 86  # room under the bars for the forces' names, written at a slant
LABEL_GAP = 13.0  # px between two slanted names' starts for them not to overlap


def _ranked_labels(data: SectionData) -> dict[str, str]:
    """Which bars carry a name: the force, its peers and the two ends. Value is the label's role."""
    rows = data.section.rows
    out = {rows[0].area_id: "extreme", rows[-1].area_id: "extreme"}
    out.update({p: "peer" for p in data.peer_ids})
    if data.area_id:
        out[data.area_id] = "force"
    return out


def _spaced(
    indexes: Sequence[int], rows: Sequence[AreaValue], labelled: dict[str, str], bar_w: float
) -> set[int]:
    """The bars whose names fit: the force first, then the two ends, then peers, each at least
    a label's height from the names already placed (slanted names of neighbours overlap)."""
    order = {"force": 0, "extreme": 1, "peer": 2}
    placed: set[int] = set()
    for i in sorted(indexes, key=lambda i: order[labelled[rows[i].area_id]]):
        if all(abs(i - j) * bar_w >= LABEL_GAP for j in placed):
            placed.add(i)
    return placed


def _ranked_svg(chart: Chart, data: SectionData) -> str:
    section = data.section
    ind = section.indicator
    rows = section.rows
    lows = [r.ci_low if r.ci_low is not None else r.value for r in rows]
    highs = [r.ci_high if r.ci_high is not None else r.value for r in rows]
    ticks = nice_ticks(min(0.0, *lows), max(0.0, *highs))
    height = H + RANKED_LABEL_SPACE
    x = _Scale((0, len(rows)), (LEFT, W - RIGHT))
    y = _Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = _open(chart, W, height)
    _y_axis(lines, ticks, y, LEFT, W - RIGHT, unit_label(ind), "%" if ind.kind == "change" else "")
    zero = y(0.0)
    bar_w = (W - LEFT - RIGHT) / len(rows)
    labelled = _ranked_labels(data)
    named = _spaced([i for i, r in enumerate(rows) if r.area_id in labelled], rows, labelled, bar_w)
    for i, r in enumerate(rows):
        top, bottom = sorted((y(r.value), zero))
        role = labelled.get(r.area_id)
        fill = {"force": FORCE, "peer": PEER}.get(role or "", OTHER)
        lines.append(
            f'<rect x="{x(i) + 1:.1f}" y="{top:.1f}" width="{bar_w - 2:.1f}" height="{max(bottom - top, 0.5):.1f}" fill="{fill}"/>'
        )
        cx = x(i) + bar_w / 2
        if r.ci_low is not None and r.ci_high is not None:
            lines.append(
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(r.ci_low):.1f}" y2="{y(r.ci_high):.1f}" stroke="{INK}" stroke-width="1"/>'
            )
        if role is not None and i in named:
            # The name at a slant under the axis, so 43 narrow bars can each carry one.
            name = get_force(r.area_id).short_name if r.area_id != data.area_id else data.area_label or ""
            if role == "extreme":
                name += f" {fmt(r.value, ind)}"
            ly = H - BOTTOM + 12
            lines.append(
                _text(
                    cx + 3,
                    ly,
                    name,
                    anchor="end",
                    size=10,
                    fill=FORCE if role == "force" else INK,
                    weight="bold" if role == "force" else "normal",
                    extra=f' transform="rotate(-50 {cx + 3:.1f} {ly:.1f})"',
                )
            )
        if role == "force":
            anchor = "start" if i < len(rows) * 0.6 else "end"
            label_y = min(top, y(r.ci_high) if r.ci_high is not None else top) - 8
            if r.value < 0:
                label_y = zero - 8
            lines.append(
                _text(
                    cx,
                    label_y,
                    f"{data.area_label} {fmt(r.value, ind)}",
                    anchor=anchor,
                    weight="bold",
                    fill=FORCE,
                    extra=HALO,
                )
            )
    lines.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="{INK}"/>')
    if section.ew_value is not None:
        ey = y(section.ew_value)
        lines.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{ey:.1f}" y2="{ey:.1f}" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/>'
        )
    lines.append(
        _text(
            (LEFT + W - RIGHT) / 2,
            height - 34,
            f"the {len(rows)} forces, lowest to highest; named: {data.area_label or 'the force'}, its peers and the two ends",
            size=11,
            fill=MUTED,
        )
    )
    _legend(
        lines,
        [
            (f'<rect x="4" y="-6" width="16" height="12" fill="{FORCE}"/>', data.area_label or "force"),
            (f'<rect x="4" y="-6" width="16" height="12" fill="{PEER}"/>', "its peers (region)"),
            (f'<rect x="4" y="-6" width="16" height="12" fill="{OTHER}"/>', "other forces"),
            (
                f'<line x1="0" x2="24" y1="0" y2="0" stroke="{EW}" stroke-width="2.5" stroke-dasharray="7 4"/>',
                "England and Wales",
            ),
        ],
        height - 10,
    )
    lines.append("</svg>")
    return "\n".join(lines)


def _grades_svg(chart: Chart, data: GradeData) -> str:
    row_h, gap, label_w = 30, 34, 250
    height = TOP + len(data.questions) * (row_h + gap)
    total = max((sum(r) for r in data.counts), default=1) or 1
    x = _Scale((0, total), (label_w, W - RIGHT))
    lines = _open(chart, W, height)
    for qi, (question, row) in enumerate(zip(data.questions, data.counts, strict=True)):
        top = TOP + qi * (row_h + gap)
        lines.append(_text(0, top - 6, question, anchor="start", size=12, weight="bold"))
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
                    _text(
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
            _text(
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


def svg(chart: Chart) -> Markup:
    """The chart drawn as an inline SVG element (all text in it escaped)."""
    data = chart.data
    if isinstance(data, TrendData):
        out = _trend_svg(chart, data)
    elif isinstance(data, GradeData):
        out = _grades_svg(chart, data)
    elif chart.kind == "funnel":
        out = _funnel_svg(chart, data)
    else:
        out = _ranked_svg(chart, data)
    return Markup(out)
