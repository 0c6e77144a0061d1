"""Synthetic data.police.uk archives, in exactly the published layout, learned from the real files.

What is learned from `../shared/data` (never copied: only frequencies and the pool of anonymised
map points are kept, and rows are re-drawn from them):
- per force, rows per month, the crime type mix, the last-outcome mix per crime type and the
  pool of (point, location, LSOA) combinations, from the one-month national cross-section
  (2014-06 street files, 42 forces);
- forces absent from that cross-section (metropolitan, greater-manchester, west-midlands) borrow
  the West Yorkshire mix, scaled by ONS mid-2018 population;
- months from crime to outcome, the share of crimes with an outcome record and the outcome type
  mix, from the City of London street and outcome files (2016-01 to 2017-06).

Generation is SQL in DuckDB, deterministic for a seed (every draw is a hash of seed, month,
force and row number), and month by month, so memory stays flat for any number of months.

With `faults=True` it also writes what the ingest must survive, listed in `faults.json`: bad rows
(unknown crime type, wrong force, wrong month, unparseable and out-of-range coordinates, bad LSOA
code, a line with too many fields), an older edition of the archive overlapping the newer one
(duplicate months), and a truncated copy of the archive.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError
from openpeel.core.months import add_months, month_text, parse_month
from openpeel.core.sql import sql_list
from openpeel.forces import get_force, territorial_forces
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.schema import COLUMNS
from openpeel.ingest.police_uk.statements import read_csv_sql

SLOTS = 10_000
"""Resolution of categorical draws: each distribution is laid out on this many slots."""
MAX_LAG_MONTHS = 12
BORROW_PROFILE_FROM = "west-yorkshire"


@dataclass(frozen=True)
class DemoResult:
    archive: Path
    months: list[str]
    street_rows: int
    outcome_rows: int
    files: int
    faults: Path | None


def _reader(files: list[str], kind: FileKind) -> str:
    return read_csv_sql([Path(f) for f in files], kind, typed=False, extra=", filename=true")


def learn(con: duckdb.DuckDBPyConnection, shared_data: Path, forces: Sequence[str]) -> None:
    """Build the profile tables (gen_*) from the real files."""
    police = shared_data / "police-uk"
    street = sorted(str(p) for p in (police / "2014-06").glob("2014-06-*-street.csv"))
    if not street:
        raise InputError("no 2014-06 street files to learn from", path=police / "2014-06")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_real AS
        SELECT regexp_extract(parse_filename(filename), '^\\d{{4}}-\\d{{2}}-(.*)-street\\.csv$', 1) AS src,
               * EXCLUDE (filename) FROM {_reader(street, FileKind.STREET)}"""
    )
    pop = {}
    with (shared_data / "ons" / "population" / "population_data.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pop[row["code"]] = int(row["MYE2018"])
    present = {r[0] for r in con.execute("SELECT DISTINCT src FROM gen_real").fetchall()}
    mapping = []
    for force_id in forces:
        if force_id in present:
            mapping.append((force_id, force_id, 1.0))
            continue
        code, donor_code = get_force(force_id).ons_code, get_force(BORROW_PROFILE_FROM).ons_code
        if code not in pop or donor_code not in pop:
            raise InputError(f"no ONS population to size force {force_id!r}", field="MYE2018")
        mapping.append((force_id, BORROW_PROFILE_FROM, pop[code] / pop[donor_code]))
    labels = dict(con.execute('SELECT src, any_value("Reported by") FROM gen_real GROUP BY src').fetchall())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gen_forces (force_id VARCHAR, src VARCHAR, scale DOUBLE, label VARCHAR)"
    )
    con.executemany(
        "INSERT INTO gen_forces VALUES (?, ?, ?, ?)",
        [(f, s, k, labels[f] if f == s else get_force(f).name) for f, s, k in mapping],
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gen_counts AS
        SELECT g.force_id, round(count(*) * any_value(g.scale))::BIGINT AS n
        FROM gen_forces g JOIN gen_real r ON r.src = g.src GROUP BY g.force_id"""
    )
    # Categorical draws become slot tables: slot s in [0, SLOTS) maps to one value.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_types AS
        WITH c AS (SELECT src, "Crime type" AS v, count(*) AS n FROM gen_real GROUP BY ALL),
        w AS (SELECT src, v, sum(n) OVER (PARTITION BY src ORDER BY v) AS hi, sum(n) OVER (PARTITION BY src) AS tot,
                     n FROM c)
        SELECT src, v, s AS slot FROM w,
          range(floor((hi - n) * {SLOTS} / tot)::BIGINT, floor(hi * {SLOTS} / tot)::BIGINT) t(s)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_outcomes AS
        WITH c AS (SELECT src, "Crime type" AS t, "Last outcome category" AS v, count(*) AS n
                   FROM gen_real GROUP BY ALL),
        w AS (SELECT src, t, v, n, sum(n) OVER (PARTITION BY src, t ORDER BY v NULLS FIRST) AS hi,
                     sum(n) OVER (PARTITION BY src, t) AS tot FROM c)
        SELECT src, t, v, s AS slot FROM w,
          range(floor((hi - n) * {SLOTS} / tot)::BIGINT, floor(hi * {SLOTS} / tot)::BIGINT) r(s)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gen_places AS
        SELECT src, row_number() OVER (PARTITION BY src ORDER BY lon, lat, loc, lsoa) - 1 AS idx, * EXCLUDE (src)
        FROM (SELECT DISTINCT src, "Longitude" AS lon, "Latitude" AS lat, "Location" AS loc,
                     "LSOA code" AS lsoa, "LSOA name" AS lsoa_name FROM gen_real)"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gen_place_counts AS SELECT src, count(*) AS n FROM gen_places GROUP BY src"
    )
    _learn_outcome_timing(con, police)


def _learn_outcome_timing(con: duckdb.DuckDBPyConnection, police: Path) -> None:
    street = sorted(str(p) for p in police.glob("*/*-city-of-london-street.csv"))
    outcomes = sorted(str(p) for p in police.glob("*/*-city-of-london-outcomes.csv"))
    if not outcomes:
        raise InputError("no outcomes files to learn outcome timing from", path=police)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_real_crimes AS
        SELECT "Crime ID" AS crime_id, min(strptime("Month", '%Y-%m')::DATE) AS cm
        FROM {_reader(street, FileKind.STREET)} WHERE "Crime ID" IS NOT NULL GROUP BY ALL"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_real_outcomes AS
        SELECT o."Crime ID" AS crime_id, o."Outcome type" AS v, strptime(o."Month", '%Y-%m')::DATE AS om, c.cm
        FROM {_reader(outcomes, FileKind.OUTCOMES)} o
        LEFT JOIN gen_real_crimes c ON c.crime_id = o."Crime ID"
        """
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_lags AS
        WITH c AS (SELECT least(datediff('month', cm, om), {MAX_LAG_MONTHS}) AS v, count(*) AS n
                   FROM gen_real_outcomes WHERE cm IS NOT NULL AND om >= cm GROUP BY ALL),
        w AS (SELECT v, n, sum(n) OVER (ORDER BY v) AS hi, sum(n) OVER () AS tot FROM c)
        SELECT v, s AS slot FROM w,
          range(floor((hi - n) * {SLOTS} / tot)::BIGINT, floor(hi * {SLOTS} / tot)::BIGINT) r(s)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_outcome_types AS
        WITH c AS (SELECT v, count(*) AS n FROM gen_real_outcomes GROUP BY ALL),
        w AS (SELECT v, n, sum(n) OVER (ORDER BY v) AS hi, sum(n) OVER () AS tot FROM c)
        SELECT v, s AS slot FROM w,
          range(floor((hi - n) * {SLOTS} / tot)::BIGINT, floor(hi * {SLOTS} / tot)::BIGINT) r(s)"""
    )
    # Outcome records per crime in the window where both files exist: how many crimes get one.
    row = con.execute(
        """SELECT count(DISTINCT o.crime_id) FILTER (WHERE o.cm IS NOT NULL)
                  / (SELECT count(*) FROM gen_real_crimes WHERE cm <= (SELECT max(om) FROM gen_real_outcomes))
           FROM gen_real_outcomes o"""
    ).fetchone()
    rate = float(row[0]) if row and row[0] is not None else 0.5
    con.execute(f"CREATE OR REPLACE TEMP TABLE gen_outcome_rate AS SELECT {min(rate, 1.0)}::DOUBLE AS rate")


def _draw(seed: int, *parts: str) -> str:
    """SQL for a deterministic draw in [0, SLOTS) from the seed and row identity."""
    return f"(hash({seed}, {', '.join(parts)}) % {SLOTS})::BIGINT"


def _generate_month(con: duckdb.DuckDBPyConnection, month: dt.date, seed: int, missing: set[str]) -> None:
    m = month_text(month)
    skip = sql_list(sorted(missing)) if missing else "[]::VARCHAR[]"
    # Month-to-month wobble of +-6% so months differ in size.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gen_month AS
        WITH rows AS (
          SELECT c.force_id, f.src, f.label,
                 unnest(range((c.n * (0.94 + ((hash({seed}, '{m}', c.force_id) % 1000) / 1000.0) * 0.12))::BIGINT)) AS i
          FROM gen_counts c JOIN gen_forces f USING (force_id)
          WHERE NOT list_contains({skip}, c.force_id)
        ),
        typed AS (
          SELECT r.*, t.v AS crime_type FROM rows r
          JOIN gen_types t ON t.src = r.src AND t.slot = {_draw(seed, f"'{m}'", "r.force_id", "r.i", "'type'")}
        ),
        outcomed AS (
          SELECT x.*, o.v AS last_outcome FROM typed x
          LEFT JOIN gen_outcomes o ON o.src = x.src AND o.t = x.crime_type
           AND o.slot = {_draw(seed, f"'{m}'", "x.force_id", "x.i", "'outcome'")}
        )
        SELECT x.force_id, x.i,
               CASE WHEN x.crime_type = 'Anti-social behaviour' THEN NULL
                    ELSE md5(concat({seed}, '{m}', x.force_id, x.i)) || md5(concat(x.i, x.force_id, '{m}', {seed}))
               END AS "Crime ID",
               '{m}' AS "Month", x.label AS "Reported by", x.label AS "Falls within",
               p.lon AS "Longitude", p.lat AS "Latitude", p.loc AS "Location",
               p.lsoa AS "LSOA code", p.lsoa_name AS "LSOA name",
               x.crime_type AS "Crime type", x.last_outcome AS "Last outcome category", NULL::VARCHAR AS "Context"
        FROM outcomed x
        JOIN gen_place_counts pc ON pc.src = x.src
        JOIN gen_places p ON p.src = x.src AND p.idx = hash({seed}, '{m}', x.force_id, x.i, 'place') % pc.n
        ORDER BY x.force_id, x.i"""
    )
    # Crimes waiting for an outcome record: which month it lands in, and what it is.
    con.execute(
        f"""INSERT INTO gen_pending
        SELECT g.force_id, add_months_sql, g."Crime ID", g."Reported by", g."Longitude", g."Latitude",
               g."Location", g."LSOA code", g."LSOA name", ot.v
        FROM (SELECT *, (DATE '{month.isoformat()}' + to_months(l.v))::DATE AS add_months_sql FROM gen_month g
              JOIN gen_lags l ON l.slot = {_draw(seed, f"'{m}'", "g.force_id", "g.i", "'lag'")}
              WHERE g."Crime ID" IS NOT NULL
                AND {_draw(seed, f"'{m}'", "g.force_id", "g.i", "'has'")} < (SELECT rate FROM gen_outcome_rate) * {SLOTS}) g
        JOIN gen_outcome_types ot ON ot.slot = {_draw(seed, f"'{m}'", "g.force_id", "g.i", "'otype'")}"""
    )


def _write_partitioned(
    con: duckdb.DuckDBPyConnection, sql: str, out: Path, month: dt.date, kind: FileKind
) -> int:
    """COPY one month's rows to one CSV per force, named as published; returns rows written."""
    m = month_text(month)
    tmp = out / f".parts-{kind.value}"
    con.execute(
        f"COPY ({sql}) TO '{tmp}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', "
        "PARTITION_BY (force_id), OVERWRITE_OR_IGNORE true)"
    )
    (out / m).mkdir(parents=True, exist_ok=True)
    for part in sorted(tmp.glob("force_id=*")):
        force_id = part.name.split("=", 1)[1]
        files = sorted(part.glob("*.csv"))
        target = out / m / f"{m}-{force_id}-{kind.value}.csv"
        if len(files) == 1:
            files[0].replace(target)
        else:
            with target.open("wb") as dst:
                for n, f in enumerate(files):
                    with f.open("rb") as src:
                        if n:
                            src.readline()
                        shutil.copyfileobj(src, dst)
    shutil.rmtree(tmp)
    return 0


def generate(
    out: Path,
    *,
    shared_data: Path,
    months: int,
    start: str = "2014-01",
    forces: Sequence[str] | None = None,
    seed: int = 1,
    missing: Sequence[str] = (),
    as_zip: bool = True,
    faults: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Write a synthetic archive under `out`: `out/<last month>.zip`, or month folders if not `as_zip`.

    `missing` holds FORCE:YYYY-MM pairs left out, as when a force publishes nothing for a month.
    """
    if months < 1:
        raise InputError("--months must be at least 1", field="months")
    force_ids = list(forces) if forces else [f.force_id for f in territorial_forces()]
    first = parse_month(start)
    month_list = [add_months(first, k) for k in range(months)]
    gaps: dict[dt.date, set[str]] = {}
    for item in missing:
        force_id, _, when = item.partition(":")
        gaps.setdefault(parse_month(when), set()).add(get_force(force_id).force_id)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # progress is reported through `progress`
    street_rows = outcome_rows = files = 0
    with tempfile.TemporaryDirectory(prefix="openpeel-demo-", dir=out) as tmp:
        tree = Path(tmp) if as_zip else out
        learn(con, shared_data, force_ids)
        con.execute(
            "CREATE TEMP TABLE gen_pending (force_id VARCHAR, om DATE, cid VARCHAR, label VARCHAR, lon VARCHAR, "
            "lat VARCHAR, loc VARCHAR, lsoa VARCHAR, lsoa_name VARCHAR, v VARCHAR)"
        )
        for month in month_list:
            _generate_month(con, month, seed, gaps.get(month, set()))
            street_cols = ", ".join(f'"{c.header}"' for c in COLUMNS[FileKind.STREET])
            _write_partitioned(
                con, f"SELECT force_id, {street_cols} FROM gen_month", tree, month, FileKind.STREET
            )
            n = con.execute("SELECT count(*) FROM gen_month").fetchone()
            street_rows += int(n[0]) if n else 0
            m = month_text(month)
            outcome_sql = f"""SELECT force_id, cid AS "Crime ID", '{m}' AS "Month", label AS "Reported by",
                       label AS "Falls within", lon AS "Longitude", lat AS "Latitude", loc AS "Location",
                       lsoa AS "LSOA code", lsoa_name AS "LSOA name", v AS "Outcome type"
                FROM gen_pending WHERE om = DATE '{month.isoformat()}'
                  AND NOT list_contains({sql_list(sorted(gaps.get(month, set()))) if gaps.get(month) else "[]::VARCHAR[]"}, force_id)
                ORDER BY force_id, cid"""
            _write_partitioned(con, outcome_sql, tree, month, FileKind.OUTCOMES)
            n = con.execute(f"SELECT count(*) FROM ({outcome_sql})").fetchone()
            outcome_rows += int(n[0]) if n else 0
            con.execute(f"DELETE FROM gen_pending WHERE om <= DATE '{month.isoformat()}'")
            files += len(list((tree / m).glob("*.csv")))
            if progress:
                progress(f"generated {m}")
        fault_file: Path | None = None
        if faults:
            fault_file = _inject_faults(tree, out, month_list, force_ids)
        archive = out / f"{month_text(month_list[-1])}.zip"
        if as_zip:
            _zip_tree(tree, archive, month_list)
            if faults:
                _write_fault_archives(tree, out, archive, month_list)
        else:
            archive = out
    con.close()
    return DemoResult(
        archive, [month_text(m) for m in month_list], street_rows, outcome_rows, files, fault_file
    )


def _zip_tree(tree: Path, archive: Path, months: list[dt.date]) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for month in months:
            for f in sorted((tree / month_text(month)).glob("*.csv")):
                z.write(f, f"{month_text(month)}/{f.name}")


def _inject_faults(tree: Path, out: Path, months: list[dt.date], forces: list[str]) -> Path:
    """Append bad rows to the first month's street file of the first force; list them in faults.json."""
    m = month_text(months[0])
    force = forces[0]
    other = next(f for f in territorial_forces() if f.force_id != force)
    path = tree / m / f"{m}-{force}-street.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    template = next(r for r in rows[1:] if r[9] != "Anti-social behaviour" and r[4])
    label = template[2]
    wrong_month = month_text(add_months(months[0], -1))
    bad: list[tuple[list[str], str, str]] = []

    def variant(index: int, value: str, field: str, why: str) -> None:
        row = list(template)
        row[index] = value
        bad.append((row, field, why))

    variant(9, "Hovercraft theft", "Crime type", "unknown crime type")
    variant(2, other.name, "Reported by", "force does not match the file name")
    variant(1, wrong_month, "Month", "month does not match the file")
    variant(4, "west-ish", "Longitude", "not a number")
    variant(5, "99.5", "Latitude", "outside the UK")
    variant(7, "X01234567", "LSOA code", "bad LSOA code")
    variant(10, "Sent to the moon", "Last outcome category", "unknown outcome")
    bad.append(([*template, "surplus"], "(row)", "too many fields"))
    start_line = len(rows) + 1
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for row, _, _ in bad:
            writer.writerow(row)
    listing = {
        "file": f"{m}/{path.name}",
        "force_id": force,
        "reported_by": label,
        "bad_rows": [
            {"line": start_line + k, "field": field, "what": why} for k, (_, field, why) in enumerate(bad)
        ],
        "older_edition": month_text(months[-2]) + ".zip" if len(months) > 1 else None,
        "truncated": f"truncated/{month_text(months[-1])}.zip",
    }
    target = out / "faults.json"
    target.write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")
    return target


def _write_fault_archives(tree: Path, out: Path, archive: Path, months: list[dt.date]) -> None:
    """An older, overlapping edition (with staler outcomes) and a truncated copy of the archive."""
    if len(months) > 1:
        older = out / f"{month_text(months[-2])}.zip"
        with zipfile.ZipFile(older, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for month in months[:-1]:
                for f in sorted((tree / month_text(month)).glob("*.csv")):
                    data = f.read_text(encoding="utf-8")
                    if f.name.endswith("-street.csv"):
                        data = _staler(data)
                    z.writestr(f"{month_text(month)}/{f.name}", data)
    truncated = out / "truncated" / archive.name
    truncated.parent.mkdir(exist_ok=True)
    with archive.open("rb") as src, truncated.open("wb") as dst:
        dst.write(src.read(archive.stat().st_size // 2))


def _staler(text: str) -> str:
    """The same crimes as an earlier publication saw them: every outcome still 'Under investigation'."""
    lines = text.splitlines(keepends=True)
    out = [lines[0]]
    for row in csv.reader(lines[1:]):
        if row and row[10]:
            row[10] = "Under investigation"
        buf: list[str] = []
        w = csv.writer(_Sink(buf), lineterminator="\n")
        w.writerow(row)
        out.append("".join(buf))
    return "".join(out)


class _Sink:
    def __init__(self, buf: list[str]) -> None:
        self.buf = buf

    def write(self, text: str) -> int:
        self.buf.append(text)
        return len(text)
