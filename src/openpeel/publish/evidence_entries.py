"""The "how we know" entries of a report: one per figure shown, with everything behind it, and
the crime-outcome paragraphs from data.police.uk that bring their own entry. Kept apart from
document.py, which assembles the report from these parts."""

from __future__ import annotations

import datetime as dt
import math

import duckdb

from openpeel.core.statistics import Z_95
from openpeel.forces import Force
from openpeel.framework import Framework
from openpeel.indicators.catalogue import Indicator
from openpeel.indicators.comparison import contrast
from openpeel.indicators.query import IndicatorValue
from openpeel.publish import narrative
from openpeel.publish.chart_style import rank_order
from openpeel.publish.model import Evidence, Paragraph, Segment, para

OUTCOME_SENTENCE_GROUPS = (
    ("charged_or_summonsed", "charged or summonsed"),
    ("no_suspect_identified", "closed with no suspect identified"),
    ("evidential_difficulties", "closed for evidential difficulties"),
    ("under_investigation", "still under investigation when last published"),
)


def _year_start(end: dt.date) -> dt.date:
    """First day of the 12 calendar months that end with `end`'s month."""
    return dt.date(end.year - (1 if end.month < 12 else 0), end.month % 12 + 1, 1)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def outcome_paragraphs(
    con: duckdb.DuckDBPyConnection, force: Force, framework: Framework, sources: dict[str, dict[str, object]]
) -> tuple[list[Paragraph], Evidence | None]:
    """Crime outcomes from data.police.uk for the year's recorded-crime period, where loaded."""
    from openpeel.indicators.outcomes import outcome_summary

    period = framework.data_periods.get("recorded_crime")
    try:
        summary = (
            outcome_summary(con, force.force_id, _year_start(period.period_end), period.period_end)
            if period
            else None
        )
    except duckdb.CatalogException:
        summary = None
    if summary is None or not summary.crimes:
        return [], None
    anchor = f"outcomes-{force.force_id}-{summary.period_end.isoformat()}"
    months = summary.months_covered
    if len(months) == 12:
        span = f"from {months[0].strftime('%B %Y')} to {months[-1].strftime('%B %Y')}"
    else:
        span = f"in the {len(months)} of these 12 months with data ({', '.join(m.strftime('%b %Y') for m in months)})"
    parts: list[str | Segment] = [
        f"data.police.uk publishes outcomes for the {summary.crimes:,} crimes {force.short_name} recorded {span}: "
    ]
    for i, (group, words) in enumerate(OUTCOME_SENTENCE_GROUPS):
        parts += [Segment(_pct(summary.share(group).share), anchor), f" {words}"]
        parts.append(
            ", "
            if i < len(OUTCOME_SENTENCE_GROUPS) - 2
            else (" and " if i == len(OUTCOME_SENTENCE_GROUPS) - 2 else ".")
        )
    paragraphs = [para(*parts, kind="data")]
    comparator = (
        "England and Wales"
        if summary.has_ew_comparison
        else "the other forces of its region"
        if summary.has_peer_comparison
        else None
    )
    if comparator:
        field = "ew_share" if summary.has_ew_comparison else "peer_share"
        shares = ", ".join(_pct(getattr(summary.share(g), field)) for g, _ in OUTCOME_SENTENCE_GROUPS)
        paragraphs.append(
            para(f"For {comparator} over the same months the shares were {shares}.", kind="data")
        )
    # The coverage caveats go to the appendix (the entry carries them): the body states the figure.
    source_lines = tuple(
        f"{info['dataset']}: {info['path']} (sha256 {str(info['sha256'])[:12]}…)"
        if (info := sources.get(s))
        else s
        for s in summary.source_ids
    )
    entry = Evidence(
        anchor=anchor,
        indicator_id="police_uk_outcomes",
        title="Outcomes of recorded crimes (data.police.uk)",
        area=force.name,
        period=f"crimes recorded {span}; months missing: {', '.join(m.strftime('%Y-%m') for m in summary.months_missing) or 'none'}",
        value="; ".join(f"{words}: {_pct(summary.share(g).share)}" for g, words in OUTCOME_SENTENCE_GROUPS),
        unit="share of crimes",
        ew_value=(
            "; ".join(f"{words}: {_pct(summary.share(g).ew_share)}" for g, words in OUTCOME_SENTENCE_GROUPS)
            if summary.has_ew_comparison
            else None
        ),
        interval=None,
        comparison=f"peers: {', '.join(summary.peer_ids)}" if summary.has_peer_comparison else None,
        rank=None,
        counts=f"{summary.crimes:,} crimes; {summary.crimes_with_outcome_record:,} with an outcome-file record",
        sources=source_lines[:12]
        + ((f"… and {len(source_lines) - 12} more files",) if len(source_lines) > 12 else ()),
        notes=" ".join(summary.caveats),
        source_ids=tuple(summary.source_ids),
        caveats=tuple(summary.caveats),
    )
    return paragraphs, entry


def materiality_text(ind: Indicator) -> str:
    """'a difference of at least 5%' (relative, for rates) or '... 2.0 percentage points'."""
    if ind.kind == "rate":
        return f"a difference of at least {ind.materiality:.0%}"
    return f"a difference of at least {ind.materiality:.1f} percentage points"


def _bound(x: float, null: float, digits: int, sign: str = "") -> str:
    """A bound, with more digits where the usual ones would put it on the null value (1 or 0), so
    the printed interval stays on the side the test found."""
    text = f"{x:{sign}.{digits}f}"
    for more in range(digits + 1, digits + 5):
        if float(text) != null:
            break
        text = f"{x:{sign}.{more}f}"
    return text


def test_interval(value: IndicatorValue, ew: IndicatorValue | None) -> str | None:
    """The interval the significance test rests on: the force against the rest of England and
    Wales on the test's scale (a ratio for rates and changes, a difference in points for shares),
    allowing for chance and the ordinary spread between forces. It excludes 1 (or 0) exactly when
    the test calls the difference significant, since its width comes from the test's own z."""
    ind = value.indicator
    if ew is None or value.z_score is None or abs(value.z_score) < 1e-9:
        return None
    found = contrast(
        ind.kind,
        value.value,
        value.ew_value or 0.0,
        value.numerator,
        value.denominator,
        ew.numerator - value.numerator,
        ew.denominator - value.denominator,
    )
    if found is None:
        return None
    difference, _ = found
    se = difference / value.z_score
    if se <= 0:
        return None
    low, high = difference - Z_95 * se, difference + Z_95 * se
    if ind.kind == "proportion":
        return (
            f"{difference * 100:+.1f} percentage points against the rest of England and Wales "
            f"(95% interval {_bound(low * 100, 0.0, 1, '+')} to {_bound(high * 100, 0.0, 1, '+')})"
        )
    what = "ratio of the growth factors" if ind.kind == "change" else "ratio"
    return (
        f"{what} to the rest of England and Wales {math.exp(difference):.3f} "
        f"(95% interval {_bound(math.exp(low), 1.0, 3)} to {_bound(math.exp(high), 1.0, 3)})"
    )


def comparison_text(value: IndicatorValue, ew: IndicatorValue | None = None) -> str | None:
    """One statistical story: the band (material or not), the adjusted test and its interval."""
    if value.band is None:
        return None
    ind = value.indicator
    material = f"material ({materiality_text(ind)}): {'yes' if value.is_material else 'no'}"
    significant = "yes" if value.is_significant else "no"
    test = f"significant (beyond chance and the ordinary spread between forces): {significant}"
    z = f"z = {value.z_score:.2f}" if value.z_score is not None else "z not defined"
    interval = test_interval(value, ew)
    tested = f"{z}; {interval}" if interval else z
    return f"{value.band}; {material}; {test} ({tested})"


def evidence_entry(
    value: IndicatorValue,
    force: Force,
    sources: dict[str, dict[str, object]],
    england_wales: IndicatorValue | None = None,
) -> Evidence:
    ind = value.indicator
    unit = ind.unit
    area = force.name if value.area_id == force.force_id else value.area_id
    period = f"{ind.period_family.replace('_', ' ')} period ending {value.period_end.isoformat()}"
    if value.base_period_end:
        period += f", compared with the period ending {value.base_period_end.isoformat()}"
    if ind.kind == "rate":
        counts = f"{value.numerator:,.0f} counted; population {value.denominator:,.0f}"
        shown = f"{value.value:.2f} {unit}"
        ew = f"{value.ew_value:.2f} {unit}" if value.ew_value is not None else None
    else:
        counts = f"{value.numerator:,.0f} now; {value.denominator:,.0f} in the base period"
        shown = f"{value.value:+.2f}%"
        ew = f"{value.ew_value:+.2f}%" if value.ew_value is not None else None
    interval = None
    if value.ci_low is not None and value.ci_high is not None:
        interval = (
            f"{value.ci_low:.2f} to {value.ci_high:.2f}"
            if ind.kind == "rate"
            else f"{value.ci_low:+.2f}% to {value.ci_high:+.2f}%"
        )
    comparison = comparison_text(value, england_wales)
    rank = f"{value.rank} of {value.rank_of} ({rank_order(ind)})" if value.rank else None
    source_lines = []
    for source_id in value.source_ids:
        info = sources.get(source_id)
        if info:
            source_lines.append(
                f"{info['dataset']} — {info['publisher']}; file {info['path']} (sha256 {str(info['sha256'])[:12]}…); read from {info['read_from']}"
            )
        else:
            source_lines.append(source_id)
    return Evidence(
        anchor=narrative.anchor(value),
        indicator_id=ind.id,
        title=ind.title,
        area=area,
        period=period,
        value=shown,
        unit=unit,
        ew_value=ew,
        interval=interval,
        comparison=comparison,
        rank=rank,
        counts=counts,
        sources=tuple(source_lines),
        notes=ind.comparability,
        source_ids=tuple(value.source_ids),
    )
