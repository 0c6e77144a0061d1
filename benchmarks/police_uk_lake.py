"""Lake benchmark: `openpeel ingest` against what a user would run instead, whole processes, one run.

    python -m benchmarks.police_uk_lake real [--shared-data ../shared/data] [--rounds 3]
    python -m benchmarks.police_uk_lake synthetic [--months 12] [--seed 1] [--spark]

Contenders, each a fresh process timed from start to exit (interpreter start and imports
included, as a user sees it), `--rounds` times in turn, medians printed:
- duckdb-month: `COPY (SELECT * FROM read_csv(...)) TO DIR (PARTITION_BY (month))` per kind
  (one call per line-ending style, since a sniffed read over mixed endings drops files), the
  month taken from the file name: the lake's month layout, one Parquet file per kind and month,
  with no checks;
- polars-month: `scan_csv(files).sink_parquet(PartitionBy(DIR, key="month"))`, the same groups
  and layout, no checks;
- duckdb, polars: the same, each writing one Parquet file per group (the one-file figures);
- parse: DuckDB reading every field with openpeel's dialect and types, storing nothing: the
  ceiling for any DuckDB-based load;
- floor: the ingest's own statement (dialect, types, every row check, the lake's columns) and its
  month-file writer (pyarrow, two threads), in the ingest's batches, and nothing else: no
  fingerprints or line counts, no warehouse, no coverage, no commit. What a checked ingest built
  on DuckDB and pyarrow costs before any of the work that makes it safe;
- ingest: `openpeel ingest PATH --db ...` into a fresh warehouse and lake, every check on.
Row counts are checked equal before any ratio is printed; peak memory is each process's own high
water mark of resident memory (VmHWM, read while it runs). Then each check's own cost, measured
on the same files in this process (see `check_costs`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

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

_DUCKDB_MONTH = """
import json, os, sys, duckdb
groups = json.loads(sys.argv[1]); out = sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = 0
for n, files in enumerate(groups):
    kind = next(k for k in ("stop-and-search", "outcomes", "street") if files[0].endswith(f"-{k}.csv"))
    month = "regexp_extract(filename, '(\\\\d{4}-\\\\d\\\\d)-[^/]*$', 1)"
    os.makedirs(f"{out}/{n}", exist_ok=True)
    con.execute(
        # The month is in the path, as in the lake; the file's own "Month" column would clash with it.
        f"COPY (SELECT COLUMNS(lambda c: c NOT IN ('filename', 'Month')), {month} AS month "
        f"FROM read_csv({files!r}, delim=',', quote='\\"', escape='\\"', header=true, filename=true)) "
        f"TO '{out}/{n}/kind={kind}' (FORMAT parquet, PARTITION_BY (month))"
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

_POLARS_MONTH = r"""
import json, sys, polars as pl
groups = json.loads(sys.argv[1]); out = sys.argv[2]
rows = 0
for n, files in enumerate(groups):
    kind = next(k for k in ("stop-and-search", "outcomes", "street") if files[0].endswith(f"-{k}.csv"))
    month = pl.col("path").str.extract(r"(\d{4}-\d\d)-[^/]*$", 1).alias("month")
    frame = pl.scan_csv(files, include_file_paths="path").with_columns(month).drop("path", "Month", strict=False)
    target = pl.PartitionBy(f"{out}/{n}/kind={kind}", key="month", include_key=False, approximate_bytes_per_file=None)
    frame.sink_parquet(target, mkdir=True)
    rows += pl.scan_parquet(f"{out}/{n}/*/*/*.parquet").select(pl.len()).collect().item()
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


_FLOOR = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import duckdb
from openpeel.ingest.police_uk.fast_path import good_rows, register_files
from openpeel.ingest.police_uk.layout import FileKind, discover
from openpeel.ingest.police_uk.load import BATCH_BYTES, WRITERS
from openpeel.ingest.police_uk.prepared_files import Fingerprint, PreparedFile
from openpeel.warehouse.month_files import write_month
found = discover([Path(sys.argv[1])]).files
out = Path(sys.argv[2])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
batches, size = [[]], 0
for month in sorted({s.month for s in found}):
    files = [s for s in found if s.month == month]
    if batches[-1] and size + sum(s.size for s in files) > BATCH_BYTES:
        batches.append([])
        size = 0
    batches[-1] += files
    size += sum(s.size for s in files)
rows = 0
with ThreadPoolExecutor(WRITERS) as writer:
    written = []
    for batch in batches:
        for kind in FileKind:
            prepared = [PreparedFile(s, s.container / s.member, Fingerprint("", 0, 0)) for s in batch if s.kind is kind]
            if not prepared:
                continue
            register_files(con, prepared)
            months = {}
            for p, table in zip(prepared, good_rows(con, kind, prepared)):
                if table is not None:
                    months.setdefault(p.source.month, {})[p.source.force_id] = table
                    rows += table.num_rows
            for w in written:  # at most two kinds' rows held, as the ingest does
                w.result()
            written = [
                writer.submit(write_month, out / f"kind={kind.value}" / f"month={m:%Y-%m}", kind.value, forces)
                for m, forces in months.items()
            ]
    for w in written:
        w.result()
print(json.dumps({"rows": rows}))
"""


CONTENDERS = ["duckdb-month", "polars-month", "duckdb", "polars", "parse", "floor", "ingest"]


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


def _child_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak MB, stdout) of one whole process.

    CPU seconds (user and system, every thread) move less than seconds when other work shares the
    cores. The peak is the child's own VmHWM, read every 20 ms while it runs: the ru_maxrss that
    wait4 gives starts from the parent's size at fork, so a benchmark that had just generated a
    large archive would report that size for every contender."""
    with tempfile.TemporaryFile() as err:
        cpu_before = _child_cpu()
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
        cpu = _child_cpu() - cpu_before
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{cmd[:3]} failed: {err.read().decode()[-2000:]}")
    return seconds, cpu, peak[0] / 1024, out.decode()


def _openpeel() -> str:
    return str(Path(sys.executable).with_name("openpeel"))


def _ingest_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT sum(rows_stored + rows_quarantined) FROM meta_police_uk_coverage").fetchone()
    con.close()
    return int(row[0]) if row and row[0] is not None else 0


def _run(
    which: str, inputs: list[Path], csv_root: Path, by_kind: dict[str, list[str]], tmp: Path
) -> tuple[float, float, float, int]:
    out = tmp / which
    shutil.rmtree(out, ignore_errors=True)  # each round writes into an empty folder
    out.mkdir()
    if which == "ingest":
        env = {**os.environ, "OPENPEEL_HOME": str(out)}
        cmd = [_openpeel(), "ingest", *map(str, inputs), "--db", str(out / "w.duckdb")]
        seconds, cpu, peak, _ = _timed(cmd, env)
        return seconds, cpu, peak, _ingest_rows(out / "w.duckdb")
    script = {
        "duckdb": _DUCKDB,
        "duckdb-month": _DUCKDB_MONTH,
        "polars": _POLARS,
        "polars-month": _POLARS_MONTH,
        "parse": _PARSE,
        "floor": _FLOOR,
    }[which]
    if which == "floor":
        seconds, cpu, peak, text = _timed([sys.executable, "-c", script, str(csv_root), str(out)])
        return seconds, cpu, peak, int(json.loads(text.strip().splitlines()[-1])["rows"])
    arg = json.dumps(by_kind if which == "parse" else _groups(by_kind))
    seconds, cpu, peak, text = _timed([sys.executable, "-c", script, arg, str(out)])
    return seconds, cpu, peak, int(json.loads(text.strip().splitlines()[-1])["rows"])


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
    cpus: dict[str, list[float]] = {c: [] for c in contenders}
    peaks: dict[str, float] = dict.fromkeys(contenders, 0.0)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="openpeel-bench-lake-") as tmp:
        for _ in range(rounds):
            for which in contenders:  # in turn, so a busy moment is shared among them
                seconds, cpu, peak, n = _run(which, inputs, csv_root, by_kind, Path(tmp))
                times[which].append(seconds)
                cpus[which].append(cpu)
                peaks[which] = max(peaks[which], peak)
                rows[which] = n
    medians = {c: statistics.median(t) for c, t in times.items()}
    cpu_medians = {c: statistics.median(t) for c, t in cpus.items()}
    for which in contenders:
        print(
            f"{which:>12}: {rows[which]:>10,} rows, median {medians[which]:6.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in times[which])}), CPU {cpu_medians[which]:5.2f} s, "
            f"peak memory {peaks[which]:,.0f} MB"
        )
    if len(set(rows.values())) != 1:
        print(f"ROW COUNTS DIFFER: {rows}")
    if "ingest" in medians:
        tools: list[str] = [c for c in ("duckdb-month", "polars-month") if c in medians]
        if tools:
            fastest = min(tools, key=lambda c: medians[c])
            print(
                f"ingest speed / fastest tool writing the month layout, no checks ({fastest}): "
                f"{medians[fastest] / medians['ingest']:.2f}  (target >= 0.9); in CPU seconds "
                f"{cpu_medians[fastest] / cpu_medians['ingest']:.2f}"
            )
        one_file: list[str] = [c for c in ("duckdb", "polars") if c in medians]
        if one_file:
            fastest = min(one_file, key=lambda c: medians[c])
            print(
                f"ingest speed / fastest tool writing one file ({fastest}): {medians[fastest] / medians['ingest']:.2f}"
            )
        if "parse" in medians:
            print(f"ingest speed / parse-only ceiling: {medians['parse'] / medians['ingest']:.2f}")
        if "floor" in medians:
            print(
                f"ingest speed / the checked floor (the ingest's own read, checks and month-file writer, "
                f"nothing else): {medians['floor'] / medians['ingest']:.2f}; the floor itself against the "
                f"fastest tool writing the month layout: {min(medians.get(c, 1e9) for c in ('duckdb-month', 'polars-month')) / medians['floor']:.2f}"
            )
    return {**{f"{c}_s": m for c, m in medians.items()}, **{f"{c}_mb": p for c, p in peaks.items()}}


class Cost(NamedTuple):
    """Median seconds and median CPU seconds (every thread of this process) of some work."""

    wall: float
    cpu: float

    def __sub__(self, other: object) -> Cost:
        assert isinstance(other, Cost)
        return Cost(self.wall - other.wall, self.cpu - other.cpu)

    def text(self, sign: str = "") -> str:
        return f"{self.wall:{sign}.2f} s (CPU {self.cpu:{sign}.2f} s)"


def _median_seconds(rounds: int, work: Callable[[], object]) -> Cost:
    walls, cpus = [], []
    for _ in range(rounds):
        began, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return Cost(statistics.median(walls), statistics.median(cpus))


def _digest(files: list[Path], *, sha: bool, lines: bool) -> None:
    """What the ingest's fingerprint pass does (prepared_files._fingerprint), or a part of it."""
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    for path in files:
        digest = hashlib.sha256()
        with path.open("rb", buffering=0) as fh:
            while size := fh.readinto(buffer):
                chunk = view[:size]
                if sha:
                    digest.update(chunk)
                if lines:
                    buffer.count(b"\n", 0, size)


def _validation(csv_root: Path, rounds: int) -> tuple[Cost, Cost]:
    """(parse, parse and every row check) seconds: DuckDB reading the files with the ingest's
    dialect and types and computing the lake's columns, without and with the checks' WHERE."""
    import duckdb

    from openpeel.ingest.police_uk.fast_path import register_files
    from openpeel.ingest.police_uk.layout import discover
    from openpeel.ingest.police_uk.prepared_files import Fingerprint, PreparedFile
    from openpeel.ingest.police_uk.statements import lake_select, read_csv_sql
    from openpeel.ingest.police_uk.validate import all_valid
    from openpeel.warehouse.lake import file_columns

    found = discover([csv_root]).files
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    queries: dict[bool, list[str]] = {False: [], True: []}
    for kind in {s.kind for s in found}:
        prepared = [
            PreparedFile(s, s.container / s.member, Fingerprint("", 0, 0)) for s in found if s.kind is kind
        ]
        register_files(con, prepared)
        con.execute(f"CREATE TEMP TABLE files_{kind.name} AS SELECT * FROM _pu_files")
        reader = read_csv_sql([p.local_path for p in prepared], kind, typed=True, extra=", filename=true")
        touch = ", ".join(
            f"sum(strlen({n}))" if t == "VARCHAR" else f"count({n})" for n, t in file_columns(kind.value)
        )
        for checked in (False, True):
            where = f"WHERE {all_valid(kind)}" if checked else ""
            queries[checked].append(
                f"SELECT count(*), {touch} FROM (SELECT {lake_select(kind)} FROM {reader} AS r "
                f"JOIN files_{kind.name} AS f ON r.filename = f.path {where})"
            )

    def run(checked: bool) -> Callable[[], object]:
        return lambda: [con.execute(q).fetchall() for q in queries[checked]]

    return _median_seconds(rounds, run(False)), _median_seconds(rounds, run(True))


def _ingest_without(csv_root: Path, tmp: Path, rounds: int, off: str | None) -> Cost:
    """The ingest of the unzipped files in this process, with one check switched off."""
    from unittest import mock

    from openpeel.ingest.police_uk import fast_path, prepared_files
    from openpeel.ingest.police_uk.load import ingest
    from openpeel.warehouse import writing

    known = {
        f: prepared_files._fingerprint(f) for f in csv_root.glob("*/*.csv")
    }  # so a switched-off fingerprint still gives the line count

    def run() -> None:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        with writing(tmp / "w.duckdb", tmp / "lake") as con:
            ingest(con, [csv_root], home=tmp)

    patches: list[mock._patch[object]] = []
    if off == "row checks":
        patches.append(mock.patch.object(fast_path, "all_valid", lambda kind: "true"))
    if off == "fingerprints and line counts":
        patches.append(mock.patch.object(prepared_files, "_fingerprint", lambda path: known[path]))
    for patch in patches:
        patch.start()
    try:
        run()  # warm
        return _median_seconds(rounds, run)
    finally:
        for patch in patches:
            patch.stop()


def check_costs(csv_root: Path, by_kind: dict[str, list[str]], rounds: int) -> None:
    """Each check's own cost on these files: measured alone, and as the ingest's time with it off."""
    files = [Path(f) for fs in by_kind.values() for f in fs]
    size = sum(f.stat().st_size for f in files)
    print(f"== each check's own cost, in this process, medians of {rounds} ({size / 1e6:,.0f} MB of CSV)")
    parse, checked = _validation(csv_root, rounds)
    print(
        f"  row checks: DuckDB parse {parse.text()}, parse and every row check {checked.text()}: "
        f"the checks cost {(checked - parse).text('+')}"
    )
    sha = _median_seconds(rounds, lambda: _digest(files, sha=True, lines=False))
    lines = _median_seconds(rounds, lambda: _digest(files, sha=False, lines=True))
    both = _median_seconds(rounds, lambda: _digest(files, sha=True, lines=True))
    none = _median_seconds(rounds, lambda: _digest(files, sha=False, lines=False))
    print(
        f"  fingerprints (one core; on a thread beside DuckDB, or in the pass that inflates a zip member): "
        f"reading the files {none.text()}; SHA-256 {(sha - none).text('+')}, line count "
        f"{(lines - none).text('+')}, both in the one pass the ingest makes {(both - none).text('+')}"
    )
    with tempfile.TemporaryDirectory(prefix="openpeel-bench-costs-") as tmp:
        full = _ingest_without(csv_root, Path(tmp) / "w", rounds, None)
        print(f"  ingest of these files in this process, every check on: {full.text()}")
        for off in ("row checks", "fingerprints and line counts"):
            without = _ingest_without(csv_root, Path(tmp) / "w", rounds, off)
            print(
                f"    without {off}: {without.text()}, so they cost the ingest {(full - without).text('+')}"
            )


def lake_files(lake: Path) -> None:
    """How many files the lake holds, per kind and month, and their size."""
    files = [p for p in lake.glob("kind=*/month=*/*.parquet")]
    months = {p.parent for p in files}
    most = max((len(list(m.glob("*.parquet"))) for m in months), default=0)
    size = sum(p.stat().st_size for p in files)
    print(
        f"lake: {len(files)} files for {len(months)} kind-months (at most {most} per kind and month), "
        f"{size / 1e6:,.0f} MB"
    )


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
            bench(months, Path(tmp), "real data.police.uk 2014 files", args.rounds, CONTENDERS)
            check_costs(Path(tmp), _by_kind(Path(tmp)), args.rounds)
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
            bench([archive], csv_root, label, args.rounds, CONTENDERS)
            print("(duckdb, polars and parse read the same files unzipped)")
            bench([csv_root], csv_root, "the same, ingested unzipped", args.rounds, ["ingest"])
            con = connect(Path(tmp) / "i.duckdb", lake=Path(tmp) / "i-lake")
            ingest(con, [archive], lake=Path(tmp) / "i-lake")
            con.close()
            lake_files(Path(tmp) / "i-lake")
            _indicators(Path(tmp) / "i-lake", args.spark)
            check_costs(csv_root, _by_kind(csv_root), args.rounds)
        return
    parser.print_help()


if __name__ == "__main__":
    main()
