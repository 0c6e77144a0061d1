"""Indicator catalogue benchmark: the whole catalogue for 43 forces over all periods, and one force's fetch.

    python -m benchmarks.indicator_catalogue [--runs 5] [--data ../shared/data]

1. openpeel: `compute_indicators(con)` -- every indicator of the catalogue, every area and period,
   with England and Wales, bands, ranks, rank ranges (pairwise) and peer comparisons, in SQL.
   Target: under 2 s.
2. baseline, in the same run: the same values computed the naive way -- each indicator's counts
   fetched once, then a Python loop per period and force for value, England and Wales, the
   comparison rule (comparison.compare), ranks and the pairwise rank ranges. Its row counts are
   checked equal to openpeel's before the ratio is printed.
3. a single force's indicators for a PEEL year (`values_for_year(con, framework, force)`), median
   of many fetches. Target: under 50 ms.
Peak memory is the process's peak resident set size (DuckDB allocates outside Python's heap).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import statistics
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from openpeel.core.statistics import Z_95
from openpeel.framework import load_framework
from openpeel.indicators.catalogue import Indicator, catalogue
from openpeel.indicators.comparison import compare
from openpeel.indicators.compute import compute_indicators
from openpeel.indicators.query import values_for_year
from openpeel.ingest.official_statistics import load_official_statistics
from openpeel.warehouse import connect

TARGET_CATALOGUE_S = 2.0
TARGET_FORCE_MS = 50.0


def _raw_rows(con: duckdb.DuckDBPyConnection, ind: Indicator) -> list[tuple[object, ...]]:
    cat = catalogue()
    bases = ",\n".join(f"{name} AS (\n{sql}\n)" for name, sql in cat.bases.items())
    sql = f"""WITH {bases}, raw AS ({ind.sql})
        SELECT r.area_id, r.period_end, r.base_period_end, r.numerator::DOUBLE, r.denominator::DOUBLE, a.kind
        FROM raw r JOIN ref_areas a USING (area_id) WHERE r.denominator > 0 AND a.kind IN ('territorial', 'special')"""
    rows = con.execute(sql).fetchall()
    if ind.not_comparable_before:
        rows = [r for r in rows if r[2] is None or r[2] >= ind.not_comparable_before]
    return rows


def _value(ind: Indicator, num: float, den: float) -> float:
    return num / den * ind.scale if ind.kind != "change" else (num / den - 1) * 100


def _pair_z(ind: Indicator, a: tuple[float, float], b: tuple[float, float]) -> float | None:
    (an, ad), (bn, bd) = a, b
    if ind.kind == "rate":
        if an <= 0 or bn <= 0:
            return None
        return math.log((an / ad) / (bn / bd)) / math.sqrt(1 / an + 1 / bn)
    if ind.kind == "change":
        if min(an, ad, bn, bd) <= 0:
            return None
        return math.log((an / ad) / (bn / bd)) / math.sqrt(1 / an + 1 / ad + 1 / bn + 1 / bd)
    pa, pb = an / ad, bn / bd
    var = pa * (1 - pa) / ad + pb * (1 - pb) / bd
    return (pa - pb) / math.sqrt(var) if var > 0 else None


def baseline(con: duckdb.DuckDBPyConnection) -> int:
    """The naive way: Python loops over periods and forces (no peers; ranks and rank ranges)."""
    written = 0
    for ind in catalogue().indicators:
        by_period: dict[object, list[tuple[object, ...]]] = defaultdict(list)
        for row in _raw_rows(con, ind):
            by_period[row[1]].append(row)
        for rows in by_period.values():
            forces = [r for r in rows if r[5] == "territorial"]
            ew_value = None
            if len(forces) == 43:
                ew_value = _value(ind, sum(r[3] for r in forces), sum(r[4] for r in forces))  # type: ignore[misc]
                written += 1
            ranked = [r for r in forces if r[0] not in ind.rank_excludes]
            sign = 1 if ind.direction == "lower_is_better" else -1
            for r in rows:
                num, den = float(r[3]), float(r[4])  # type: ignore[arg-type]
                value = _value(ind, num, den)
                if ew_value is not None:
                    compare(ind.kind, value, ew_value, num, den, ind.materiality)
                if r in ranked:
                    _ = 1 + sum(1 for o in ranked if sign * _value(ind, o[3], o[4]) < sign * value)  # type: ignore[arg-type,misc]
                    above = below = 0
                    for o in ranked:
                        if o is r:
                            continue
                        z = _pair_z(ind, (num, den), (float(o[3]), float(o[4])))  # type: ignore[arg-type]
                        if z is not None and z > Z_95:
                            above += 1
                        elif z is not None and z < -Z_95:
                            below += 1
                written += 1
    return written


def _machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, DuckDB {duckdb.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=None, help="original files (default: the bundled table)")
    parser.add_argument("--fetches", type=int, default=200)
    args = parser.parse_args()

    con = connect(":memory:")
    load_official_statistics(con, args.data)
    print(f"machine: {_machine()}")
    print(f"catalogue: {len(catalogue().indicators)} indicators")

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        compute_indicators(con)
        times.append(time.perf_counter() - start)
    row = con.execute(
        "SELECT count(*), count(DISTINCT period_end), count(DISTINCT area_id) FROM ind_values"
    ).fetchone()
    assert row is not None
    values, periods, areas = row
    ranges = con.execute("SELECT count(*) FROM ind_rank_ranges").fetchone()
    peers = con.execute("SELECT count(*) FROM ind_peer_values").fetchone()
    best, median = min(times), statistics.median(times)
    print(
        f"openpeel compute_indicators: median {median:.3f} s, best {best:.3f} s over {args.runs} runs "
        f"({values} values, {periods} periods, {areas} areas; {ranges[0] if ranges else 0} rank ranges, "
        f"{peers[0] if peers else 0} peer comparisons) -- target < {TARGET_CATALOGUE_S} s: "
        f"{'met' if median < TARGET_CATALOGUE_S else 'NOT met'}"
    )

    start = time.perf_counter()
    baseline_rows = baseline(con)
    baseline_s = time.perf_counter() - start
    if baseline_rows != values:
        raise SystemExit(f"baseline wrote {baseline_rows} values, openpeel {values}: not comparable")
    print(
        f"baseline (Python loops, no peer comparisons): {baseline_s:.3f} s for {baseline_rows} values; "
        f"openpeel is {baseline_s / median:.1f}x faster"
    )

    framework = load_framework(2014)
    values_for_year(con, framework, "northamptonshire")
    fetches = []
    for _ in range(args.fetches):
        start = time.perf_counter()
        fetched = values_for_year(con, framework, "northamptonshire")
        fetches.append((time.perf_counter() - start) * 1000)
    fetches.sort()
    p95 = fetches[int(len(fetches) * 0.95) - 1]
    print(
        f"one force (northamptonshire, PEEL 2014, {len(fetched)} indicators): median "
        f"{statistics.median(fetches):.2f} ms, p95 {p95:.2f} ms over {args.fetches} fetches -- target < "
        f"{TARGET_FORCE_MS:.0f} ms: {'met' if statistics.median(fetches) < TARGET_FORCE_MS else 'NOT met'}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
