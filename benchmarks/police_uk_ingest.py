"""Ingest benchmark: openpeel ingest vs a bare DuckDB read_csv vs pandas, on the same files, in one run.

    python -m benchmarks real [--shared-data ../shared/data]        # the real 2014 street files
    python -m benchmarks synthetic [--months 12] [--seed 1]          # one synthetic national year
    python -m benchmarks synthetic --archive DIR                     # an archive kept with --keep

Contenders: openpeel's ingest; a bare DuckDB read_csv into a table; DuckDB parsing every field
and storing nothing (no DuckDB-based load can be faster); pandas read_csv + concat.

Each contender runs in its own fresh process (so peak memory is its own; the OS file cache is
warm for all of them after a first untimed read). Times are wall-clock for the work itself, after
imports. Row counts are checked equal across contenders before any ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("street", "outcomes", "stop-and-search")


def _files(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind in KINDS:
        files = sorted(str(p) for p in root.glob(f"*/*-{kind}.csv"))
        if files:
            out[kind] = files
    return out


def _line_ending(path: Path) -> str:
    with path.open("rb") as fh:
        return "crlf" if fh.readline(65536).endswith(b"\r\n") else "lf"


def _child_ingest(root: str, db: str) -> dict[str, float]:
    from openpeel.indicators.outcomes import outcome_indicators_by_force_month
    from openpeel.ingest.police_uk.load import ingest
    from openpeel.warehouse import connect

    lake = Path(db).with_name(f"{Path(db).stem}-lake")
    con = connect(db, lake=lake)
    start = time.perf_counter()
    report = ingest(con, [Path(root)], lake=lake)
    seconds = time.perf_counter() - start
    peak_mb = _peak_rss_mb()  # the ingest's own peak, before the indicator queries below
    # The outcome indicators over every ingested force-month, from the warehouse (best of 3).
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        force_months = len(outcome_indicators_by_force_month(con).fetchall())
        timings.append(time.perf_counter() - began)
    con.close()
    return {
        "rows": report.rows_stored + report.rows_quarantined,
        "seconds": seconds,
        "indicator_seconds": min(timings),
        "force_months": force_months,
        "ingest_peak_mb": peak_mb,
    }


def _child_duckdb(root: str, db: str) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(db)
    rows = 0
    start = time.perf_counter()
    for kind, files in _files(Path(root)).items():
        # One read_csv per line-ending style: sniffing, DuckDB otherwise drops files silently.
        groups: dict[str, list[str]] = {}
        for f in files:
            groups.setdefault(_line_ending(Path(f)), []).append(f)
        for n, group in enumerate(groups.values()):
            table = f'"{kind}_{n}"'
            con.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_csv({group!r}, delim=',', quote='\"', escape='\"', header=true)"
            )
            count = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            rows += int(count[0]) if count else 0
    seconds = time.perf_counter() - start
    con.close()
    return {"rows": rows, "seconds": seconds}


def _child_parse(root: str, db: str) -> dict[str, float]:
    """The floor under any DuckDB-based ingest: every field of every file parsed, nothing stored."""
    import duckdb

    from openpeel.core.sql import quote_ident
    from openpeel.ingest.police_uk.layout import FileKind
    from openpeel.ingest.police_uk.schema import COLUMNS
    from openpeel.ingest.police_uk.statements import read_csv_sql

    con = duckdb.connect()
    rows = 0
    start = time.perf_counter()
    for kind_name, files in _files(Path(root)).items():
        kind = FileKind(kind_name)
        # strlen / count of every column makes DuckDB materialise every value, as a load must.
        touch = ", ".join(
            f"sum(strlen({quote_ident(c.header)}))"
            if c.read_type == "VARCHAR"
            else f"count({quote_ident(c.header)})"
            for c in COLUMNS[kind]
        )
        reader = read_csv_sql([Path(f) for f in files], kind, typed=True)
        count = con.execute(f"SELECT count(*), {touch} FROM {reader}").fetchone()
        rows += int(count[0]) if count else 0
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds}


def _child_pandas(root: str, db: str) -> dict[str, float]:
    import pandas as pd

    rows = 0
    start = time.perf_counter()
    for files in _files(Path(root)).values():
        frame = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
        rows += len(frame)
        del frame
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds}


CHILDREN = {
    "ingest": _child_ingest,
    "duckdb": _child_duckdb,
    "parse": _child_parse,
    "pandas": _child_pandas,
}


def _run(which: str, root: Path) -> dict[str, float]:
    """Run one contender in a fresh process; return rows, seconds and its own peak RSS."""
    with tempfile.TemporaryDirectory(prefix="openpeel-bench-") as tmp:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.police_uk_ingest",
                "--child",
                which,
                str(root),
                str(Path(tmp) / "b.duckdb"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        if proc.wait() != 0:
            raise SystemExit(f"benchmark child {which} failed with status {proc.returncode}")
        result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        return result


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM is reset at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    import duckdb

    return f"{os.cpu_count()} cores, {mem:,} MB RAM, {cpu}; Python {platform.python_version()}, DuckDB {duckdb.__version__}"


def bench(root: Path, label: str) -> None:
    files = _files(root)
    size = sum(Path(f).stat().st_size for fs in files.values() for f in fs)
    print(f"== {label}: {root}")
    print(f"machine: {_machine()}")
    print(
        f"input: {sum(len(v) for v in files.values())} files, {size / 1e6:,.0f} MB ({', '.join(f'{k}: {len(v)}' for k, v in files.items())})"
    )
    for fs in files.values():  # warm the OS file cache so every contender reads from memory
        for f in fs:
            Path(f).read_bytes()
    results = {which: _run(which, root) for which in CHILDREN}
    rows = {r["rows"] for r in results.values()}
    for which, r in results.items():
        print(
            f"{which:>7}: {int(r['rows']):>10,} rows in {r['seconds']:7.2f} s = {r['rows'] / r['seconds']:>12,.0f} rows/s, "
            f"peak memory {r['peak_mb']:,.0f} MB"
        )
    if len(rows) != 1:
        print(f"ROW COUNTS DIFFER: {rows}")
    ing, duck, parse, pdx = (results[k]["seconds"] for k in ("ingest", "duckdb", "parse", "pandas"))
    print(f"ingest speed / bare DuckDB read_csv: {duck / ing:.2f}  (target >= 0.85)")
    print(f"ingest speed / pandas read_csv+concat: {pdx / ing:.2f}  (target >= 3)")
    print(
        f"ceiling for any DuckDB load, pandas / parse-only: {pdx / parse:.2f}  "
        f"(parsing alone takes {parse / ing:.0%} of the ingest's time)"
    )
    ind = results["ingest"]
    print(
        f"outcome indicators for {int(ind['force_months'])} force-months from the warehouse: "
        f"{ind['indicator_seconds']:.2f} s  (target < 1 s for 43 forces x 12 months)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="what")
    real = sub.add_parser("real", help="the real 2014 street files in ../shared/data/police-uk")
    real.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    syn = sub.add_parser("synthetic", help="a synthetic national archive (default: one year, 43 forces)")
    syn.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    syn.add_argument("--months", type=int, default=12)
    syn.add_argument("--seed", type=int, default=1)
    syn.add_argument("--keep", type=Path, help="write the archive here and keep it")
    syn.add_argument(
        "--archive", type=Path, help="use this archive folder (from --keep) instead of generating one"
    )
    args = parser.parse_args()
    if args.child:
        which, root, db = args.child
        measured = CHILDREN[which](root, db)
        measured["peak_mb"] = measured.pop("ingest_peak_mb", 0.0) or _peak_rss_mb()
        print(json.dumps(measured))
        return
    if args.what == "real":
        with tempfile.TemporaryDirectory(prefix="openpeel-bench-real-") as tmp:
            # The 2014 files only, linked into a folder of their own (nothing copied).
            for month_dir in sorted((args.shared_data / "police-uk").glob("2014-*")):
                target = Path(tmp) / month_dir.name
                target.mkdir()
                for f in month_dir.glob("*.csv"):
                    (target / f.name).symlink_to(f.resolve())
            bench(Path(tmp), "real data.police.uk 2014 street files")
        return
    if args.what == "synthetic":
        from openpeel.ingest.police_uk.demo_archive import generate

        if args.archive:
            bench(args.archive, f"synthetic national archive in {args.archive}")
            return
        with tempfile.TemporaryDirectory(prefix="openpeel-bench-syn-") as tmp:
            out = args.keep or Path(tmp)
            start = time.perf_counter()
            result = generate(
                out, shared_data=args.shared_data, months=args.months, seed=args.seed, as_zip=False
            )
            print(
                f"generated {len(result.months)} months x 43 forces in {time.perf_counter() - start:.0f} s: "
                f"{result.street_rows:,} street rows, {result.outcome_rows:,} outcome rows"
            )
            bench(out, f"synthetic national archive, {args.months} months, seed {args.seed}")
        return
    parser.print_help()


if __name__ == "__main__":
    main()
