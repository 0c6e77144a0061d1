"""Charts: built as data (`Chart`, with the table behind it) and drawn as static SVG.

No JavaScript: each SVG is an image with a <title> and <desc> (the text alternative), and the
page shows the table of the numbers next to it. Colour is never the only signal: the force is a
larger, labelled marker and England and Wales a dashed line named in the legend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from markupsafe import Markup

from openpeel.core.statistics import Z_95, Z_998
from openpeel.forces import get_force
from openpeel.forces.peers import regional_groups
from openpeel.indicators.catalogue import Indicator
from openpeel.publish.chart_data import (
    AreaValue,
    CrossSection,
    GradeData,
    SectionData,
    TileData,
    TrendData,
    TrendPoint,
    YearChartData,
)
from openpeel.publish.chart_style import break_index, fmt, rank_order, section_limits, unit_label
from openpeel.publish.chart_svg import grades_svg, nice_ticks, trend_svg
from openpeel.publish.chart_svg_forces import funnel_svg, ranked_svg
from openpeel.publish.model import Chart
from openpeel.publish.tile_map import tiles_svg

__all__ = ["nice_ticks", "svg"]


def svg(chart: Chart) -> Markup:
    """The chart drawn as an inline SVG element (all text in it escaped)."""
    data = chart.data
    if isinstance(data, TrendData):
        out = trend_svg(chart, data)
    elif isinstance(data, GradeData):
        out = grades_svg(chart, data)
    elif isinstance(data, TileData):
        out = tiles_svg(chart, data)
    elif chart.kind == "funnel":
        out = funnel_svg(chart, data)
    else:
        out = ranked_svg(chart, data)
    return Markup(out)


def _row_name(rows: Iterable[AreaValue], area_id: str | None) -> str | None:
    return next((r.name for r in rows if r.area_id == area_id), None)


def _break_sentence(ind: Indicator, points: Sequence[TrendPoint]) -> str:
    index = break_index(ind, points)
    if index is None or ind.not_comparable_before is None:
        return ""
    when = ind.not_comparable_before.strftime("%B %Y")
    return (
        f" Recording practice changed in the year ending {when} (the dotted vertical line): figures "
        "before it are not directly comparable with later ones."
    )


def trend_chart(data: YearChartData, ind: Indicator, area_id: str, area_name: str) -> Chart | None:
    points = data.trend(ind.id, area_id)
    if len(points) < 2:
        return None
    first, last = points[0], points[-1]
    title = (
        f"{ind.title}: {area_name} and England and Wales, {first.period_end.year} to {last.period_end.year}"
    )
    ew_part = (
        f" against {fmt(first.ew_value, ind)} to {fmt(last.ew_value, ind)} for England and Wales"
        if first.ew_value is not None and last.ew_value is not None
        else ""
    )
    summary = (
        f"Line chart of {len(points)} 12-month periods ending {last.period_end.strftime('%-d %B')}. "
        f"{area_name} went from {fmt(first.value, ind)} to {fmt(last.value, ind)} {ind.unit}{ew_part}."
        f"{_break_sentence(ind, points)}"
    )
    rows = tuple((p.period_end.isoformat(), fmt(p.value, ind), fmt(p.ew_value, ind)) for p in points)
    return Chart(
        chart_id=f"chart-trend-{ind.id}",
        kind="trend",
        title=title,
        summary=summary,
        columns=("Period ending", area_name, "England and Wales"),
        rows=rows,
        highlight=None,
        data=TrendData(ind, area_name, points),
    )


def _position(section: CrossSection, row: AreaValue) -> str:
    """Where a force lies against the limits: 'above the 99.8% limit', 'below the 95% limit', 'within'."""
    for z, label in ((Z_998, "99.8%"), (Z_95, "95%")):
        lo, hi = section_limits(section, row.denominator, z)
        if row.value > hi:
            return f"above the {label} limit"
        if row.value < lo:
            return f"below the {label} limit"
    return "within"


def _names(rows: Sequence[AreaValue]) -> str:
    return ", ".join(sorted(get_force(r.area_id).short_name for r in rows))


def _outside_sentence(section: CrossSection, rows: Sequence[AreaValue]) -> str:
    """'2 of 42 forces lie outside the 95% limits (Cleveland, Thames Valley), none outside the 99.8% limits.'"""
    positions = {r.area_id: _position(section, r) for r in rows}
    out_95 = [r for r in rows if positions[r.area_id] != "within"]
    out_998 = [r for r in rows if "99.8%" in positions[r.area_id]]
    verb = "lies" if len(out_95) == 1 else "lie"
    text = f"{len(out_95)} of {len(rows)} forces {verb} outside the 95% limits"
    text += f" ({_names(out_95)})" if out_95 else ""
    if out_998:
        text += f", {len(out_998)} outside the 99.8% limits ({_names(out_998)})"
    else:
        text += ", none outside the 99.8% limits"
    return text + "."


def _spread_sentence(section: CrossSection) -> str:
    ind = section.indicator
    if section.tau2 is None:
        return "The limits allow for chance alone: the spread between forces could not be estimated."
    sd = math.sqrt(section.tau2)
    scale = f"{sd * 100:.1f} percentage points" if ind.kind == "proportion" else f"about {sd:.0%}"
    return f"The limits allow for chance and the ordinary spread between forces (standard deviation {scale})."


def funnel_chart(section: CrossSection, area_id: str | None, area_name: str | None) -> Chart | None:
    ind = section.indicator
    rows = [r for r in section.rows if r.area_id not in ind.rank_excludes and r.denominator > 0]
    if section.ew_value is None or len(rows) < 3:
        return None
    ew = section.ew_value
    who = f"{area_name} is highlighted" if area_name else "No force is highlighted"
    summary = (
        f"Funnel plot: each of {len(rows)} forces' {ind.short_title} rate against its population, with "
        f"England and Wales at {fmt(ew, ind)} {ind.unit} and control limits at 95% and 99.8%. {who}. "
        f"{_spread_sentence(section)} {_outside_sentence(section, rows)}"
    )
    if ind.rank_excludes:
        names = ", ".join(sorted(get_force(f).name for f in ind.rank_excludes))
        # Named with the indicator, so two funnel plots in one report never share the sentence.
        summary += f" {names} not shown: its {ind.short_title} rate per resident is not meaningful."
    table_rows = []
    for r in sorted(rows, key=lambda r: r.denominator):
        lo, hi = section_limits(section, r.denominator, Z_95)
        lo998, hi998 = section_limits(section, r.denominator, Z_998)
        table_rows.append(
            (
                r.name,
                f"{r.denominator:,.0f}",
                fmt(r.value, ind),
                f"{lo:.1f} to {hi:.1f}",
                f"{lo998:.1f} to {hi998:.1f}",
                _position(section, r),
            )
        )
    return Chart(
        chart_id=f"chart-funnel-{ind.id}",
        kind="funnel",
        title=f"{ind.title}: the forces of England and Wales by population, {section.period_end.strftime('%B %Y')}",
        summary=summary,
        columns=("Force", "Population", ind.unit, "95% limits", "99.8% limits", "Against the limits"),
        rows=tuple(table_rows),
        highlight=_row_name(rows, area_id),
        data=SectionData(
            CrossSection(ind, section.period_end, ew, tuple(rows), section.tau2, section.method),
            area_id,
            area_name,
        ),
    )


def ranked_chart(section: CrossSection, area_id: str | None, area_name: str | None) -> Chart | None:
    ind = section.indicator
    rows = list(section.rows)
    if len(rows) < 3:
        return None
    me = next((r for r in rows if r.area_id == area_id), None)
    order = rank_order(ind)
    where = (
        f" {area_name} is {fmt(me.value, ind)}, ranked {me.rank} of {len(rows)} ({order})."
        if me is not None and me.rank
        else ""
    )
    ew = f" England and Wales: {fmt(section.ew_value, ind)}." if section.ew_value is not None else ""
    summary = (
        f"Bar chart of all {len(rows)} forces sorted from lowest to highest, from {fmt(rows[0].value, ind)} "
        f"({rows[0].name}) to {fmt(rows[-1].value, ind)} ({rows[-1].name}), with 95% intervals.{where}{ew}"
    )
    table = tuple(
        (
            r.name,
            fmt(r.value, ind),
            f"{fmt(r.ci_low, ind)} to {fmt(r.ci_high, ind)}" if r.ci_low is not None else "–",
            str(r.rank or "–"),
        )
        for r in rows
    )
    return Chart(
        chart_id=f"chart-ranked-{ind.id}",
        kind="ranked",
        title=f"{ind.title}: all forces, period ending {section.period_end.strftime('%B %Y')}",
        summary=summary,
        columns=("Force", unit_label(ind), "95% interval", f"Rank ({order})"),
        rows=table,
        highlight=_row_name(rows, area_id),
        data=SectionData(section, area_id, area_name, _peers(area_id)),
    )


def _peers(area_id: str | None) -> tuple[str, ...]:
    """The force's regional peers, the comparison group every force has (most-similar sets are
    imported per warehouse; a chart drawn without one names the region's forces)."""
    if area_id is None:
        return ()
    for members in regional_groups().values():
        if area_id in members:
            return tuple(m for m in members if m != area_id)
    return ()


def grade_chart(
    questions: Sequence[str],
    grades: Sequence[str],
    counts: Sequence[Sequence[int]],
    cycle: str,
    *,
    whose: str = "",
    chart_id: str = "chart-grades",
) -> Chart:
    """Forces by grade per question; `cycle` is the framework's title ("PEEL 2018/19") and `whose`
    says whose grades they are (e.g. "published by the inspectorate"), so two such charts on one
    page can never be taken for each other."""
    parts = []
    for q, row in zip(questions, counts, strict=True):
        said = ", ".join(f"{n} {g.lower()}" for g, n in zip(grades, row, strict=True) if n)
        parts.append(f"{q}: {said}")
    return Chart(
        chart_id=chart_id,
        kind="grades",
        title=f"Grades across the forces{', ' + whose if whose else ''}, {cycle}",
        summary="Stacked bars, one per graded question, counting forces by grade. " + "; ".join(parts) + ".",
        columns=("Question", *grades),
        rows=tuple((q, *(str(n) for n in row)) for q, row in zip(questions, counts, strict=True)),
        highlight=None,
        data=GradeData(tuple(questions), tuple(grades), tuple(tuple(r) for r in counts)),
    )


# --- drawing SVG -----------------------------------------------------------------------------
