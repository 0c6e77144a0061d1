"""The national scan: for a PEEL year, every force's indicators that differ significantly and
materially from England and Wales (and, when asked, from its peers) -- the data-led view of where
an inspection might look first. "Significantly" is the overdispersion-adjusted test
(indicators/dispersion.py): the force stands out from the ordinary spread between forces. Where
the direction is ambiguous -- a count recording drives (violence, sexual offences: the catalogue's
recording caveat), or a crime count of a force whose recording the inspectorate found wanting for
the period (indicators/recording_context.py) -- a difference either way is listed as "unclear"
with the reason, never as "better" or "worse"."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb

from openpeel.forces import EW_ID, get_force
from openpeel.framework import Framework
from openpeel.indicators.dispersion import METHOD_LABEL
from openpeel.indicators.query import IndicatorValue, values_for_year
from openpeel.indicators.wording import extreme_phrase

EW = "England and Wales"


@dataclass(frozen=True)
class ScanRow:
    force_id: str
    force_name: str
    indicator_id: str
    indicator_title: str
    period_end: str
    value: float
    comparator: str
    comparator_value: float
    direction: str  # "worse", "better" or "unclear" (either way, where recording drives the figure)
    z_score: float | None
    rank: int | None
    rank_of: int | None
    comparator_kind: str = "england-and-wales"  # or "peers"
    peer_set: str | None = None
    rank_best: int | None = None
    rank_worst: int | None = None
    extreme: str | None = None  # "the lowest in the country", when the rank range supports it
    method: str | None = None  # how the comparison allowed for the spread between forces
    dispersion: dict[str, object] | None = None
    caveat: str | None = None  # why an "unclear" row is neither better nor worse, with its source
    recording: dict[str, object] | None = None  # the inspectorate's recording judgement behind it

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _row(value: IndicatorValue, *, peers: bool = False) -> ScanRow:
    if peers:
        comparator = f"peers ({value.peer_group})"
        comparator_value = value.peer_value
        direction = value.peer_flag or "similar"
        z = value.peer_z_score
    else:
        comparator, comparator_value = EW, value.ew_value
        direction = value.flag or "similar"
        z = value.z_score
    caveat = value.indicator.recording_caveat
    reasons = []
    if direction == "unclear":
        if caveat is not None:
            reasons.append(f"{caveat.reason} ({caveat.source})")
        if value.recording is not None:
            reasons.append(f"{value.recording.text} ({'; '.join(value.recording.sources)})")
    return ScanRow(
        force_id=value.area_id,
        force_name=get_force(value.area_id).name,
        indicator_id=value.indicator.id,
        indicator_title=value.indicator.title,
        period_end=value.period_end.isoformat(),
        value=value.value,
        comparator=comparator,
        comparator_value=comparator_value if comparator_value is not None else float("nan"),
        direction=direction,
        z_score=z,
        rank=value.rank,
        rank_of=value.rank_of,
        comparator_kind="peers" if peers else "england-and-wales",
        peer_set=value.peer_set if peers else None,
        rank_best=value.rank_best,
        rank_worst=value.rank_worst,
        extreme=extreme_phrase(value),
        method=value.method,
        dispersion=value.dispersion_json(),
        caveat=" ".join(reasons) or None,
        recording=value.recording.as_json() if value.recording is not None else None,
    )


def national_scan(
    con: duckdb.DuckDBPyConnection, framework: Framework, *, include_peers: bool = False
) -> list[ScanRow]:
    """Rows for the 43 forces, worst first within each force, forces in id order.

    By default only differences from England and Wales; with include_peers, also differences from
    each force's peers (an imported most-similar set if any, else its region).
    """
    rows = []
    for value in values_for_year(con, framework):
        if value.area_id == EW_ID or not get_force(value.area_id).is_territorial:
            continue
        if value.flag is not None:
            rows.append(_row(value))
        if include_peers and value.peer_flag is not None:
            rows.append(_row(value, peers=True))
    rows.sort(
        key=lambda r: (
            r.force_id,
            ("worse", "unclear", "better").index(r.direction),
            r.comparator_kind != "england-and-wales",
            -abs(r.z_score or 0.0),
        )
    )
    return rows


TRIAGE_LIMIT = 3


def triage(rows: list[ScanRow], limit: int = TRIAGE_LIMIT) -> list[ScanRow]:
    """Per force, the few differences to look at first: largest (by the adjusted |z|) first.

    Every scan row is already both significant and material. One indicator appears once, with
    its larger difference (from England and Wales or from peers), so a force's few rows are
    few different things. Forces keep the scan's order.
    """
    by_force: dict[str, dict[str, ScanRow]] = {}
    for r in rows:
        kept = by_force.setdefault(r.force_id, {})
        seen = kept.get(r.indicator_id)
        if seen is None or abs(r.z_score or 0.0) > abs(seen.z_score or 0.0):
            kept[r.indicator_id] = r
    out: list[ScanRow] = []
    for kept in by_force.values():
        out += sorted(kept.values(), key=lambda r: -abs(r.z_score or 0.0))[:limit]
    return out


def scan_json(framework: Framework, rows: list[ScanRow]) -> str:
    """The scan as a JSON document (openpeel scan --json; the site's scan page reads the same)."""
    document = {
        "year": framework.year,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "periods": {family: p.period_end.isoformat() for family, p in framework.data_periods.items()},
        "rule": "significantly (95%, allowing for the spread between forces) and materially different; "
        "docs/methodology.md",
        "method": METHOD_LABEL,
        "rows": [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.as_json().items()}
            for r in rows
        ],
    }
    return json.dumps(document, indent=2)


def scan_summary(rows: list[ScanRow]) -> dict[str, dict[str, int]]:
    """Per force: how many indicators are worse, better and unclear (for the overview table)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = out.setdefault(r.force_id, {"worse": 0, "better": 0, "unclear": 0})
        counts[r.direction] += 1
    return out


def _fmt(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:,.2f}"


def scan_markdown(framework: Framework, rows: list[ScanRow]) -> str:
    """The scan as a Markdown page for the site: one table, forces in order, worst first."""
    lines = [
        f"# National scan, {framework.title}",
        "",
        "Indicators where a force differs from England and Wales or its peers both significantly "
        "(95%, allowing for the ordinary spread between forces) and materially (docs/methodology.md). "
        '"Unclear": higher, but rises in this indicator often reflect better recording (see note). '
        "A starting point for where to look, not a judgement.",
        "",
        "| force | indicator | period end | value | compared with | their value | | rank (range) | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rank = f"{r.rank} of {r.rank_of}" if r.rank else "–"
        if r.rank and r.rank_best is not None and (r.rank_best, r.rank_worst) != (r.rank, r.rank):
            rank += f" ({r.rank_best}–{r.rank_worst})"
        cells = [
            r.force_name,
            r.indicator_title,
            r.period_end,
            _fmt(r.value),
            r.comparator,
            _fmt(r.comparator_value),
            r.direction,
            rank,
            "; ".join(x for x in (r.extreme, r.caveat) if x),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if not rows:
        lines.append("| no force differs significantly and materially | | | | | | | | |")
    return "\n".join(lines) + "\n"
