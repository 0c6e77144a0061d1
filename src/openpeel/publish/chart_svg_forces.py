"""Drawing the charts of all forces at one period as SVG: funnel plots (each force's value
against its size, with the adjusted control limits) and ranked bars (the forces sorted, with the
force, its peers and the two ends named)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import escape

from openpeel.core.statistics import Z_95, Z_998
from openpeel.forces import get_force
from openpeel.publish.chart_data import AreaValue, SectionData, control_limits
from openpeel.publish.chart_style import (
    BOTTOM,
    CHANCE,
    EW,
    FORCE,
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
    fmt,
    section_limits,
    unit_label,
)
from openpeel.publish.chart_svg import LEGEND_ROW, Scale, legend, nice_ticks, open_svg, text, y_axis
from openpeel.publish.model import Chart


def funnel_svg(chart: Chart, data: SectionData) -> str:
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
    limits = {z: [section_limits(section, px, z) for px in curve_x] for z in (Z_95, Z_998)}
    material = (ew * (1 - ind.materiality), ew * (1 + ind.materiality))
    # The 99.8% limits at the smallest force set the range, so both limits are seen in full.
    values = [r.value for r in rows] + list(material) + list(section_limits(section, min(pops), Z_998))
    span = max(values) - min(values)
    ticks = nice_ticks(max(0.0, min(values) - span * 0.05), max(values) + span * 0.05)
    lin = Scale((lx0, lx1), (LEFT, W - RIGHT))

    def x(pop: float) -> float:
        return lin(math.log10(pop))

    y = Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = open_svg(chart, W, H + LEGEND_ROW)
    lines.append(
        f'<clipPath id="{escape(chart.chart_id)}-clip"><rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}"/></clipPath>'
    )
    band_top, band_bottom = y(material[1]), y(material[0])
    lines.append(
        f'<rect x="{LEFT}" y="{band_top:.1f}" width="{W - LEFT - RIGHT}" height="{band_bottom - band_top:.1f}" fill="#eef2f7"/>'
    )
    y_axis(lines, ticks, y, LEFT, W - RIGHT, ind.unit)
    for t in x_ticks:
        lines.append(text(x(t), H - BOTTOM + 18, f"{t / 1e6:g}m", size=11, fill=MUTED))
    lines.append(
        text((LEFT + W - RIGHT) / 2, H - BOTTOM + 34, "population (millions, log scale)", size=11, fill=MUTED)
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
        low, high = section_limits(section, r.denominator, Z_95)
        if not low <= r.value <= high:
            cx = x(r.denominator)
            anchor = "start" if cx < W * 0.7 else "end"
            lines.append(
                text(
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
            text(
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
    legend(
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


def ranked_svg(chart: Chart, data: SectionData) -> str:
    section = data.section
    ind = section.indicator
    rows = section.rows
    lows = [r.ci_low if r.ci_low is not None else r.value for r in rows]
    highs = [r.ci_high if r.ci_high is not None else r.value for r in rows]
    ticks = nice_ticks(min(0.0, *lows), max(0.0, *highs))
    height = H + RANKED_LABEL_SPACE
    x = Scale((0, len(rows)), (LEFT, W - RIGHT))
    y = Scale((ticks[0], ticks[-1]), (H - BOTTOM, TOP))
    lines = open_svg(chart, W, height)
    y_axis(lines, ticks, y, LEFT, W - RIGHT, unit_label(ind), "%" if ind.kind == "change" else "")
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
                text(
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
                text(
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
        text(
            (LEFT + W - RIGHT) / 2,
            height - 34,
            f"the {len(rows)} forces, lowest to highest; named: {data.area_label or 'the force'}, its peers and the two ends",
            size=11,
            fill=MUTED,
        )
    )
    legend(
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
