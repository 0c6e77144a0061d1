"""The back-test of the comparison rules over the ONS history (openpeel backtest).

For each main indicator and each year (12-month periods ending in one month, March by default):

- the share of ranked forces flagged against England and Wales (significantly and materially
  different), by the rule openpeel uses (the overdispersion-adjusted test, ind_values) and by the
  plain Poisson rule it used before (comparison.compare without the spread);
- persistence: of the forces flagged in year t, the share flagged on the same side in year t+1,
  against the share expected by chance, i.e. if next year's flags fell on forces at random
  (per flagged force, the share of all forces flagged on its side in t+1).

A rule that flags real, lasting differences shows persistence well above chance; one that flags
noise shows persistence near chance (or flags nearly everyone, so that chance is itself near 1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from openpeel.indicators.catalogue import catalogue
from openpeel.indicators.comparison import compare

MAIN_INDICATORS = (
    "recorded_crime_rate",
    "recorded_crime_change_1y_pct",
    "recorded_crime_change_4y_pct",
    "asb_rate",
    "asb_change_1y_pct",
)
RULES = ("poisson", "adjusted")

# (indicator, rule) -> year -> force -> side (+1 higher, -1 lower); forces ranked per year apart.
Flags = dict[int, dict[str, int]]


@dataclass(frozen=True)
class BacktestRow:
    indicator_id: str
    rule: str
    years: int
    shares: dict[int, float]  # year -> share of ranked forces flagged
    mean_share: float
    flagged_pairs: int  # forces flagged in a year t that has a year t+1
    persistence: float | None  # share of them flagged on the same side in t+1
    chance: float | None  # the share expected if t+1's flags fell at random

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "shares": {str(k): v for k, v in self.shares.items()}}


def _side(value: float, ew: float, flagged: bool) -> int:
    return (1 if value > ew else -1) if flagged else 0


def _flags(
    con: duckdb.DuckDBPyConnection, indicator_id: str, month: int
) -> tuple[dict[str, Flags], dict[int, int]]:
    ind = catalogue().get(indicator_id)
    rows = con.execute(
        "SELECT period_end, area_id, value, ew_value, numerator, denominator, is_significant, is_material "
        "FROM ind_values WHERE indicator_id = ? AND rank IS NOT NULL AND ew_value IS NOT NULL "
        "AND month(period_end) = ? ORDER BY period_end, area_id",
        [indicator_id, month],
    ).fetchall()
    flags: dict[str, Flags] = {rule: defaultdict(dict) for rule in RULES}
    ranked: dict[int, int] = defaultdict(int)
    for period_end, area_id, value, ew, num, den, significant, material in rows:
        year = period_end.year
        ranked[year] += 1
        old = compare(ind.kind, value, ew, num, den, ind.materiality)
        flags["poisson"][year][area_id] = _side(value, ew, old.is_significant and old.is_material)
        flags["adjusted"][year][area_id] = _side(value, ew, bool(significant and material))
    return flags, dict(ranked)


def _persistence(by_year: Flags) -> tuple[int, float | None, float | None]:
    pairs = same = 0
    expected = 0.0
    for year, sides in by_year.items():
        following = by_year.get(year + 1)
        if not following:
            continue
        share_on = {s: sum(1 for v in following.values() if v == s) / len(following) for s in (1, -1)}
        for force, side in sides.items():
            if side == 0 or force not in following:
                continue
            pairs += 1
            same += following[force] == side
            expected += share_on[side]
    if not pairs:
        return 0, None, None
    return pairs, same / pairs, expected / pairs


def backtest(
    con: duckdb.DuckDBPyConnection, indicator_ids: tuple[str, ...] = MAIN_INDICATORS, month: int = 3
) -> list[BacktestRow]:
    """One row per indicator and rule, over every year the warehouse holds."""
    out = []
    for indicator_id in indicator_ids:
        flags, ranked = _flags(con, indicator_id, month)
        for rule in RULES:
            by_year = flags[rule]
            shares = {
                year: sum(1 for side in sides.values() if side) / ranked[year]
                for year, sides in sorted(by_year.items())
            }
            pairs, persistence, chance = _persistence(by_year)
            out.append(
                BacktestRow(
                    indicator_id,
                    rule,
                    len(shares),
                    shares,
                    sum(shares.values()) / len(shares) if shares else 0.0,
                    pairs,
                    persistence,
                    chance,
                )
            )
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def backtest_markdown(rows: list[BacktestRow], month: int = 3) -> str:
    """The summary table and the per-year shares, as Markdown (docs/methodology.md carries it)."""
    month_name = dt.date(2000, month, 1).strftime("%B")
    lines = [
        f"12-month periods ending {month_name}; shares of the ranked forces flagged against England and Wales.",
        "",
        "| indicator | rule | years | mean share flagged | flagged in t with a t+1 | same side in t+1 | by chance |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        first, last = (min(r.shares), max(r.shares)) if r.shares else (0, 0)
        lines.append(
            f"| {r.indicator_id} | {r.rule} | {first}–{last} | {_pct(r.mean_share)} | {r.flagged_pairs} "
            f"| {_pct(r.persistence)} | {_pct(r.chance)} |"
        )
    years = sorted({y for r in rows for y in r.shares})
    lines += ["", "| indicator | rule | " + " | ".join(map(str, years)) + " |"]
    lines.append("|---|---|" + "---|" * len(years))
    for r in rows:
        cells = [_pct(r.shares[y]) if y in r.shares else "" for y in years]
        lines.append(f"| {r.indicator_id} | {r.rule} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
