"""Lake benchmark: `openpeel ingest` against what a user would run instead, whole processes, one run.

    python -m benchmarks.police_uk_lake real [--shared-data ../shared/data] [--rounds 3]
    python -m benchmarks.police_uk_lake synthetic [--months 12] [--seed 1] [--spark]

Contenders, each a fresh process timed from start to exit (interpreter start and imports
included, as a user sees it), `--rounds` times in turn, medians printed:
- duckdb: `COPY (SELECT * FROM read_csv(...)) TO 'x.parquet'` per kind (one call per line-ending
  style, since a sniffed read over mixed endings drops files);
- polars: `scan_csv(files).sink_parquet('x.parquet')` per kind (and line-ending style);
- parse: DuckDB reading every field with openpeel's dialect and types, storing nothing: the
  ceiling for any DuckDB-based load;
- duckdb-lake: the DuckDB COPY with the lake's layout, one Parquet file per force-month
  (`PARTITION_BY (month, force)`, the keys taken from the file names), no checks: the floor for
  any DuckDB-based ingest that writes the lake;
- polars-lake: polars doing the lake's job (benchmarks.polars_lake): the same row checks, the
  outcome group, one Parquet file per force-month; street and outcome files only;
- ingest: `openpeel ingest PATH --db ...` into a fresh warehouse and lake, every check on.
Row counts are checked equal before any ratio is printed; peak memory is each process's own high
water mark of resident memory (VmHWM, read while it runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.police_uk_ingest import KINDS, _line_ending, _machine

_DUCKDB = """
import json, sys, duckdb
groups = json.loads(sys.argv[1]); out = sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = 0
for n, files in enumerate(groups):
    target = f"{out}/{n}.parquet"
    con.execute(f"COPY (SELECT * FROM read_csv({files!r}, delim=',', quote='\\"', escape='\\"', header=true)) TO '{target}'")
    rows += con.execute(f"SELECT count(*) FROM '{target}'").fetchone()[0]
print(json.dumps({"rows": rows}))
"""

_DUCKDB_LAKE = """
import json, sys, duckdb
groups = json.loads(sys.argv[1]); out = sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("SET partitioned_write_max_open_files = 4000")  # else DuckDB splits partitions
rows = 0
for n, files in enumerate(groups):
    kind = files[0].rsplit("-", 1)[1].removesuffix(".csv")
    name = "regexp_extract(filename, '(\\d{4}-\\d\\d)-(.+)-[a-z]+\\.csv$', ['month', 'force'])"
    con.execute(
        # The month is in the path, as in the lake; the file's own "Month" column would clash with it.
        f"COPY (SELECT COLUMNS(lambda c: c NOT IN ('filename', 'key', 'Month')), key.month AS month, key.force AS force FROM "
        f"(SELECT *, {name} AS key FROM read_csv({files!r}, delim=',', quote='\\"', escape='\\"', header=true, filename=true))) "
        f"TO '{out}/{n}' (FORMAT parquet, PARTITION_BY (month, force), FILENAME_PATTERN 'part')"
    )
    rows += con.execute(f"SELECT count(*) FROM read_parquet('{out}/{n}/*/*/*.parquet')").fetchone()[0]
print(json.dumps({"rows": rows}))
"""

_POLARS = """
import json, sys, polars as pl
groups = json.loads(sys.argv[1]); out = sys.argv[2]
rows = 0
for n, files in enumerate(groups):
    target = f"{out}/{n}.parquet"
    pl.scan_csv(files).sink_parquet(target)
    rows += pl.scan_parquet(target).select(pl.len()).collect().item()
print(json.dumps({"rows": rows}))
"""

_PARSE = """
import json, sys
from pathlib import Path
import duckdb
from openpeel.core.sql import quote_ident
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.schema import COLUMNS
from openpeel.ingest.police_uk.statements import read_csv_sql
by_kind = json.loads(sys.argv[1])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = 0
for kind_name, files in by_kind.items():
    kind = FileKind(kind_name)
    touch = ", ".join(
        f"sum(strlen({quote_ident(c.header)}))" if c.read_type == "VARCHAR" else f"count({quote_ident(c.header)})"
        for c in COLUMNS[kind]
    )
    rows += con.execute(f"SELECT count(*), {touch} FROM {read_csv_sql([Path(f) for f in files], kind, typed=True)}").fetchone()[0]
print(json.dumps({"rows": rows}))
"""


def _by_kind(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind in KINDS:
        files = sorted(str(p) for p in root.glob(f"*/*-{kind}.csv"))
        if files:
            out[kind] = files
    return out


def _groups(by_kind: dict[str, list[str]]) -> list[list[str]]:
    """Files of one kind and line-ending style: what one sniffed read may take together."""
    groups: list[list[str]] = []
    for files in by_kind.values():
        split: dict[str, list[str]] = {}
        for f in files:
            split.setdefault(_line_ending(Path(f)), []).append(f)
        groups += split.values()
    return groups


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else 0


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak MB, stdout) of one whole process.

    The peak is the child's own VmHWM, read every 20 ms while it runs: the ru_maxrss that wait4
    gives starts from the parent's size at fork, so a benchmark that had just generated a large
    archive would report that size for every contender."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        assert proc.stdout is not None
        peak = [0]

        def watch() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], _high_water_kb(proc.pid))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out = proc.stdout.read()
        proc.wait()
        seconds = time.perf_counter() - start
        watcher.join()
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{cmd[:3]} failed: {err.read().decode()[-2000:]}")
    return seconds, peak[0] / 1024, out.decode()


def _openpeel() -> str:
    return str(Path(sys.executable).with_name("openpeel"))


def _ingest_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT sum(rows_stored + rows_quarantined) FROM meta_police_uk_coverage").fetchone()
    con.close()
    return int(row[0]) if row and row[0] is not None else 0


def _run(
    which: str, inputs: list[Path], by_kind: dict[str, list[str]], tmp: Path
) -> tuple[float, float, int]:
    out = tmp / which
    shutil.rmtree(out, ignore_errors=True)  # each round writes into an empty folder
    out.mkdir()
    if which == "ingest":
        env = {**os.environ, "OPENPEEL_HOME": str(out)}
        cmd = [_openpeel(), "ingest", *map(str, inputs), "--db", str(out / "w.duckdb")]
        seconds, peak, _ = _timed(cmd, env)
        return seconds, peak, _ingest_rows(out / "w.duckdb")
    if which == "polars-lake":
        files = [f for fs in by_kind.values() for f in fs]
        cmd = [sys.executable, "-m", "benchmarks.polars_lake", str(out), json.dumps(files)]
        seconds, peak, text = _timed(cmd)
        return seconds, peak, int(json.loads(text.strip().splitlines()[-1])["rows"])
    script = {"duckdb": _DUCKDB, "duckdb-lake": _DUCKDB_LAKE, "polars": _POLARS, "parse": _PARSE}[which]
    arg = json.dumps(by_kind if which == "parse" else _groups(by_kind))
    seconds, peak, text = _timed([sys.executable, "-c", script, arg, str(out)])
    return seconds, peak, int(json.loads(text.strip().splitlines()[-1])["rows"])


def bench(
    inputs: list[Path], csv_root: Path, label: str, rounds: int, contenders: list[str]
) -> dict[str, float]:
    by_kind = _by_kind(csv_root)
    size = sum(Path(f).stat().st_size for fs in by_kind.values() for f in fs)
    print(f"== {label}")
    print(f"machine: {_machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    print(
        f"input: {sum(map(len, by_kind.values()))} CSV files, {size / 1e6:,.0f} MB; ingest reads {', '.join(map(str, inputs))}"
    )
    for fs in by_kind.values():  # a warm file cache for every contender
        for f in fs:
            Path(f).read_bytes()
    times: dict[str, list[float]] = {c: [] for c in contenders}
    peaks: dict[str, float] = dict.fromkeys(contenders, 0.0)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="openpeel-bench-lake-") as tmp:
        for _ in range(rounds):
            for which in contenders:  # in turn, so a busy moment is shared among them
                seconds, peak, n = _run(which, inputs, by_kind, Path(tmp))
                times[which].append(seconds)
                peaks[which] = max(peaks[which], peak)
                rows[which] = n
    medians = {c: statistics.median(t) for c, t in times.items()}
    for which in contenders:
        print(
            f"{which:>11}: {rows[which]:>10,} rows, median {medians[which]:6.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in times[which])}), peak memory {peaks[which]:,.0f} MB"
        )
    if len(set(rows.values())) != 1:
        print(f"ROW COUNTS DIFFER: {rows}")
    if "ingest" in medians:
        tools = [c for c in ("duckdb", "polars") if c in medians]
        if tools:
            fastest = min(tools, key=lambda c: medians[c])
            print(
                f"ingest speed / fastest tool ({fastest}): {medians[fastest] / medians['ingest']:.2f}  (target >= 0.9)"
            )
        if "duckdb-lake" in medians:
            print(
                f"ingest speed / DuckDB writing the lake's layout, no checks: "
                f"{medians['duckdb-lake'] / medians['ingest']:.2f}"
            )
        if "polars-lake" in medians:
            print(
                f"ingest speed / polars doing the lake's job: {medians['polars-lake'] / medians['ingest']:.2f}"
            )
        if "parse" in medians:
            print(f"ingest speed / parse-only ceiling: {medians['parse'] / medians['ingest']:.2f}")
    return {**{f"{c}_s": m for c, m in medians.items()}, **{f"{c}_mb": p for c, p in peaks.items()}}


def _indicators(lake: Path, spark: bool) -> None:
    from openpeel.indicators.lake_engines import run_duckdb, run_spark, spark_session

    timings = []
    for _ in range(3):
        began = time.perf_counter()
        n = len(run_duckdb(lake))
        timings.append(time.perf_counter() - began)
    print(
        f"record-level indicators on DuckDB from the lake: {n} force-months, best of 3 {min(timings):.2f} s (target < 1 s)"
    )
    if spark:
        session = spark_session("local[*]", shuffle_partitions=8)
        began = time.perf_counter()
        n = len(run_spark(lake, spark=session))
        first = time.perf_counter() - began
        began = time.perf_counter()
        run_spark(lake, spark=session)
        print(
            f"the same on Spark local[*]: {n} force-months, {first:.2f} s first run (JVM warm-up), "
            f"{time.perf_counter() - began:.2f} s second"
        )
        session.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.police_uk_lake", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="what")
    real = sub.add_parser("real", help="the real 2014 files in ../shared/data/police-uk")
    real.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    real.add_argument("--rounds", type=int, default=3)
    syn = sub.add_parser("synthetic", help="openpeel demo-archive --forces all, ingested from its zip")
    syn.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    syn.add_argument("--months", type=int, default=12)
    syn.add_argument("--seed", type=int, default=1)
    syn.add_argument("--rounds", type=int, default=3)
    syn.add_argument("--spark", action="store_true", help="also time the indicators on Spark")
    syn.add_argument(
        "--archive", type=Path, help="an archive zip made by openpeel demo-archive, instead of a new one"
    )
    syn.add_argument("--csv", type=Path, help="the same archive unzipped (month folders), with --archive")
    args = parser.parse_args()
    if args.what == "real":
        months = sorted((args.shared_data / "police-uk").glob("2014-*"))
        with tempfile.TemporaryDirectory(prefix="openpeel-bench-real-") as tmp:
            for month_dir in months:  # the 2014 files, linked (never copied) into a folder of their own
                (Path(tmp) / month_dir.name).mkdir()
                for f in month_dir.glob("*.csv"):
                    (Path(tmp) / month_dir.name / f.name).symlink_to(f.resolve())
            bench(
                months,
                Path(tmp),
                "real data.police.uk 2014 files",
                args.rounds,
                ["duckdb", "polars", "duckdb-lake", "polars-lake", "parse", "ingest"],
            )
        return
    if args.what == "synthetic":
        from openpeel.ingest.police_uk.demo_archive import generate
        from openpeel.ingest.police_uk.load import ingest
        from openpeel.warehouse import connect

        with tempfile.TemporaryDirectory(prefix="openpeel-bench-syn-") as tmp:
            if args.archive and args.csv:
                archive, csv_root = args.archive, args.csv
            else:
                archive = generate(
                    Path(tmp) / "zip", shared_data=args.shared_data, months=args.months, seed=args.seed
                ).archive
                csv_root = Path(tmp) / "csv"
                generate(
                    csv_root, shared_data=args.shared_data, months=args.months, seed=args.seed, as_zip=False
                )
            label = (
                f"synthetic national archive {archive} ({args.months} months x 43 forces, seed {args.seed})"
            )
            contenders = ["duckdb", "polars", "duckdb-lake", "polars-lake", "parse", "ingest"]
            bench([archive], csv_root, label, args.rounds, contenders)
            print("(duckdb, polars and parse read the same files unzipped)")
            bench([csv_root], csv_root, "the same, ingested unzipped", args.rounds, ["ingest"])
            con = connect(Path(tmp) / "i.duckdb", lake=Path(tmp) / "i-lake")
            ingest(con, [archive], lake=Path(tmp) / "i-lake")
            con.close()
            _indicators(Path(tmp) / "i-lake", args.spark)
        return
    parser.print_help()


if __name__ == "__main__":
    main()
