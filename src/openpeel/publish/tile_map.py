"""A tile map of the 43 forces: one square per force, placed roughly where it is, coloured by a
category (a published grade, an indicator's band), with the category also written in each
square's text alternative and in the table beside the map, so colour is never the only signal.

The positions are data (tile_map.csv beside this module, with its source and notes), checked
against the forces registry: every territorial force once, no two on one square.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from markupsafe import escape

from openpeel.core.errors import InputError
from openpeel.forces import get_force, territorial_forces
from openpeel.indicators.query import IndicatorValue
from openpeel.publish.chart_data import TileData
from openpeel.publish.chart_style import GRADE_COLOURS, INK, MUTED
from openpeel.publish.chart_svg import legend, open_svg, text
from openpeel.publish.model import Chart

TILE = 34
GAP = 3
MARGIN = 8
NO_CATEGORY = "No grade"
NO_CATEGORY_COLOUR = "#e6e9ed"
DARK_FILLS = ("#0b5d1e", "#a00000", "#1d4f91")


@cache
def tile_labels() -> dict[str, str]:
    """force id -> the three characters its square carries."""
    return dict(_read()[1])


@cache
def tile_positions() -> dict[str, tuple[int, int]]:
    """force id -> (column, row), read and checked from tile_map.csv."""
    return dict(_read()[0])


def _read() -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    where = "openpeel/publish/tile_map.csv"
    raw = resources.files("openpeel.publish").joinpath("tile_map.csv").read_text(encoding="utf-8")
    lines = [line for line in raw.splitlines() if line and not line.startswith("#")]
    out: dict[str, tuple[int, int]] = {}
    labels: dict[str, str] = {}
    taken: dict[tuple[int, int], str] = {}
    for n, row in enumerate(csv.DictReader(lines), start=2):
        force_id, spot = row["force_id"], (int(row["col"]), int(row["row"]))
        if force_id in out:
            raise InputError(f"{where}: {force_id} is placed twice (data line {n})")
        if spot in taken:
            raise InputError(f"{where}: {force_id} and {taken[spot]} share column {spot[0]}, row {spot[1]}")
        if row["label"] in labels.values():
            raise InputError(f"{where}: {force_id} repeats the label {row['label']!r}")
        out[force_id], taken[spot], labels[force_id] = spot, force_id, row["label"]
    wanted = {f.force_id for f in territorial_forces()}
    if set(out) != wanted:
        missing, extra = sorted(wanted - set(out)), sorted(set(out) - wanted)
        raise InputError(f"{where}: forces missing {missing}, not territorial forces {extra}")
    return out, labels


def tile_map_chart(
    chart_id: str,
    title: str,
    categories: Mapping[str, str],
    colours: Sequence[tuple[str, str]],
    what: str,
    *,
    missing: str = NO_CATEGORY,
) -> Chart:
    """The map of all 43 forces; `categories` maps force id to its category (absent: NO_CATEGORY),
    `colours` gives each category's fill in the order the legend lists them, `what` names the
    category in the table's heading ("Published grade") and `missing` what a force without one shows."""
    positions = tile_positions()
    forces = sorted(territorial_forces(), key=lambda f: f.name)
    cats = {f.force_id: categories.get(f.force_id, missing) for f in forces}
    order = [c for c, _ in colours]
    counts = {c: sum(v == c for v in cats.values()) for c in [*order, missing]}
    said = "; ".join(f"{n} {c.lower()}" for c, n in counts.items() if n)
    # Lower the first letter only: `what` may name a cycle ("Coverage, PEEL 2023-25").
    summary = f"Tile map of the 43 forces, one square each, placed roughly where the force is, coloured by {what[:1].lower() + what[1:]}: {said}."
    return Chart(
        chart_id=chart_id,
        kind="tiles",
        title=title,
        summary=summary,
        columns=("Force", what),
        rows=tuple((f.name, cats[f.force_id]) for f in forces),
        highlight=None,
        data=TileData(
            tuple((fid, c, r) for fid, (c, r) in positions.items()),
            tuple(cats.items()),
            (*colours, (missing, NO_CATEGORY_COLOUR)),
        ),
    )


def tiles_svg(chart: Chart, data: TileData) -> str:
    cols = max(c for _, c, _ in data.positions) + 1
    rows = max(r for _, _, r in data.positions) + 1
    width = MARGIN * 2 + cols * (TILE + GAP)
    legend_rows = len(data.colours)
    height = MARGIN * 2 + rows * (TILE + GAP) + 20 * legend_rows
    fills = dict(data.colours)
    category = dict(data.categories)
    lines = open_svg(chart, max(width, 300), height)
    for force_id, c, r in data.positions:
        x, y = MARGIN + c * (TILE + GAP), MARGIN + r * (TILE + GAP)
        label = category.get(force_id, NO_CATEGORY)
        fill = fills.get(label, NO_CATEGORY_COLOUR)
        name = get_force(force_id).name
        lines.append(
            f"<g><title>{escape(name)}: {escape(label)}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="3" fill="{fill}" stroke="#ffffff"/>'
        )
        ink = "#ffffff" if fill in DARK_FILLS else INK
        lines.append(
            text(x + TILE / 2, y + TILE / 2 + 4, tile_labels()[force_id], size=10, fill=ink) + "</g>"
        )
    top = MARGIN + rows * (TILE + GAP) + 10
    for i, (label, fill) in enumerate(data.colours):
        legend(
            lines,
            [
                (
                    f'<rect x="4" y="-7" width="16" height="14" fill="{fill}" stroke="{MUTED}" stroke-width="0.5"/>',
                    label,
                )
            ],
            top + 20 * i,
        )
    lines.append("</svg>")
    return "\n".join(lines)


def grade_colours(labels: Sequence[str]) -> list[tuple[str, str]]:
    """Each grade label of a scale with its fill, best first."""
    return [(label, GRADE_COLOURS.get(label, NO_CATEGORY_COLOUR)) for label in labels]


BAND_COLOURS = (
    ("Lower than England and Wales", "#1d4f91"),
    ("Broadly in line with England and Wales", "#c8ced6"),
    ("Higher than England and Wales", "#e0a21b"),
)
_BAND_LABELS = {"lower": BAND_COLOURS[0][0], "similar": BAND_COLOURS[1][0], "higher": BAND_COLOURS[2][0]}


def band_map(values: Sequence[IndicatorValue], cycle: str | None = None) -> Chart | None:
    """A map of one indicator's band (the report's descriptive comparison with England and
    Wales: lower, broadly in line, higher), None where no force has a band. The colours say
    lower or higher, not better or worse: the table and each square's title say it in words.
    `cycle` (a framework's title) heads the title where the map stands for one cycle's figure."""
    bands = {v.area_id: _BAND_LABELS[v.band] for v in values if v.band in _BAND_LABELS}
    if not bands:
        return None
    ind = values[0].indicator
    return tile_map_chart(
        f"chart-map-band-{ind.id}",
        (f"{cycle}: " if cycle else "") + f"{ind.title}: each force against England and Wales, period ending "
        f"{values[0].period_end.strftime('%B %Y')}",
        bands,
        list(BAND_COLOURS),
        "Compared with England and Wales",
        missing="No comparison",
    )
