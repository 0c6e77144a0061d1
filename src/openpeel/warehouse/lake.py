"""The Parquet lake of data.police.uk records, and the DuckDB views that read it.

Layout: `LAKE/kind=street/month=2014-06/part-0.parquet`, one file per kind and month (hive
partitioning on kind and month, so DuckDB, polars and Spark all read those keys from the path).
A month passes to `part-1.parquet` and on only past a size bound (month_files.PART_ROWS); a
national month is one file. Each file holds every column of the record table except `month`,
which the path carries; its rows are sorted by `force_id`, each row group holds one force only,
and `force_id` has min/max statistics, so a reader filtering on a force reads only that force's
row groups (openpeel.warehouse.month_files writes them). The views (`raw_police_uk_street` and
the others) put `month` back.

Changing the lake is part of a warehouse write. Ingest writes new month files into a staging
folder inside the lake (`.staging-PID-N`, which no reader's glob matches) and hands them over as a
`LakeCommit`. A connection from `writing()` holds the commit until the warehouse copy is ready,
then: writes a journal naming the moves and the copy, moves each file into place (`os.replace`:
a reader sees the old month file or the new one, never half of one), removes parts a month no
longer has, points the views at the lake, checkpoints and replaces the warehouse, and removes the
journal. A writer killed before the journal leaves the lake and the warehouse as they were (its
staging folder is removed by the next ingest); one killed after it is finished by the next writer
(`recover`), so the lake and the coverage never disagree for longer than that.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from openpeel.core.errors import OpenpeelError
from openpeel.core.sql import sql_str
from openpeel.warehouse.tables import table

LAKE_TABLES: dict[str, str] = {
    "street": "raw_police_uk_street",
    "outcomes": "raw_police_uk_outcomes",
    "stop-and-search": "raw_police_uk_stop_search",
}
"""File kind (the `kind=` partition) -> the view that reads it."""

PART_GLOB = "part-*.parquet"
STAGING_PREFIX = ".staging-"
_PATH_COLUMNS = ("month",)
_PART = re.compile(r"part-(\d+)\.parquet")


_LAKES: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, Path] = weakref.WeakKeyDictionary()


def attach_lake(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Called by `connect(..., lake=ROOT)`: the lake this connection's warehouse owns."""
    _LAKES[con] = root


def lake_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The lake `con` was opened with; a warehouse opened without one cannot take records."""
    root = _LAKES.get(con)
    if root is None:
        raise OpenpeelError(
            "this warehouse was opened without its Parquet lake, so it cannot take data.police.uk records: "
            "open it with connect(path, lake=ROOT) or writing(path, lake)"
        )
    return root


def month_dir(root: Path, kind: str, month: dt.date) -> Path:
    return root / f"kind={kind}" / f"month={month:%Y-%m}"


def part_name(index: int) -> str:
    return f"part-{index}.parquet"


def part_index(path: Path) -> int | None:
    found = _PART.fullmatch(path.name)
    return int(found.group(1)) if found else None


def month_parts(folder: Path) -> list[Path]:
    """A month's files, part-0 first."""
    parts = [(part_index(p), p) for p in folder.glob(PART_GLOB)] if folder.is_dir() else []
    return [p for i, p in sorted((i, p) for i, p in parts if i is not None)]


def file_columns(kind: str) -> list[tuple[str, str]]:
    """(name, type) of the columns a month file holds, in the registry's order: all but `month`."""
    return [(c.name, c.type) for c in table(LAKE_TABLES[kind]).columns if c.name not in _PATH_COLUMNS]


def lake_glob(root: Path, kind: str) -> str:
    """Every month file of a kind, for read_parquet (with hive_partitioning)."""
    return str(root.resolve() / f"kind={kind}" / "month=*" / PART_GLOB)


HIVE_TYPES = "hive_types={'kind': VARCHAR, 'month': VARCHAR}"


def _empty_view(kind: str) -> str:
    cols = ", ".join(f"CAST(NULL AS {c.type}) AS {c.name}" for c in table(LAKE_TABLES[kind]).columns)
    return f"SELECT {cols} WHERE false"


def _lake_view(root: Path, kind: str) -> str:
    names = [c.name for c in table(LAKE_TABLES[kind]).columns]
    select = ", ".join("CAST(month || '-01' AS DATE) AS month" if n == "month" else n for n in names)
    reader = f"read_parquet({sql_str(lake_glob(root, kind))}, hive_partitioning=true, {HIVE_TYPES})"
    return f"SELECT {select} FROM {reader}"


def has_files(root: Path, kind: str) -> bool:
    return next(iter((root / f"kind={kind}").glob(f"month=*/{PART_GLOB}")), None) is not None


def refresh_views(con: duckdb.DuckDBPyConnection, root: Path | None) -> None:
    """Point each record view at the lake's files of its kind; a kind with no file yet (or a
    warehouse with no lake, `root` None) gets a typed empty view, since DuckDB refuses a view over
    a glob that matches nothing."""
    for kind, name in LAKE_TABLES.items():
        body = _lake_view(root, kind) if root is not None and has_files(root, kind) else _empty_view(kind)
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")


@dataclass
class LakeCommit:
    """Month files staged by one writer, where each goes, and what goes away with them."""

    root: Path
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    months: list[tuple[Path, int]] = field(default_factory=list)
    """(month folder, parts): after the moves, the folder's parts from `parts` on are removed
    (a month rewritten into fewer files than it had)."""
    removed: list[Path] = field(default_factory=list)
    """Files of an earlier layout that the new month files replace (migration 11); their folders
    go too once empty."""
    staging: list[Path] = field(default_factory=list)

    def apply(self) -> None:
        """Move every staged file into place, then remove what they replace. Safe to repeat: a
        recovery may find part of it done."""
        for src, dst in self.moves:
            if src.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
        for folder, keep in self.months:
            for part in month_parts(folder):
                index = part_index(part)
                if index is not None and index >= keep:
                    part.unlink(missing_ok=True)
        for path in self.removed:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty, or already gone
                path.parent.rmdir()

    def discard(self) -> None:
        for folder in self.staging:
            shutil.rmtree(folder, ignore_errors=True)

    def staged_parts(self, folder: Path) -> list[Path] | None:
        """The files this commit will put in a month `folder`, where they wait now; None if it
        does not change that month."""
        if not any(f == folder for f, _ in self.months):
            return None
        mine = [(part_index(dst) or 0, src) for src, dst in self.moves if dst.parent == folder]
        return [src for _, src in sorted(mine)]


_DEFERRED: dict[int, list[LakeCommit]] = {}


def defer_commits(con: duckdb.DuckDBPyConnection) -> None:
    """Called by `writing()`: lake commits on `con` wait for the warehouse to be replaced."""
    _DEFERRED[id(con)] = []


def take_commits(con: duckdb.DuckDBPyConnection) -> list[LakeCommit]:
    return _DEFERRED.pop(id(con), [])


def current_parts(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """A month's files as this connection's writer sees them: those of a commit it has made but
    whose warehouse is not replaced yet (the latest), else the lake's."""
    for commit in reversed(_DEFERRED.get(id(con), [])):
        staged = commit.staged_parts(folder)
        if staged is not None:
            return staged
    return month_parts(folder)


def publish(con: duckdb.DuckDBPyConnection, commit: LakeCommit) -> None:
    """Hand staged month files over: held for `writing()`, or moved into place at once on a
    connection of its own (tests, scripts), whose warehouse has no copy to wait for."""
    held = _DEFERRED.get(id(con))
    if held is not None:
        held.append(commit)
        return
    commit.apply()
    refresh_views(con, commit.root)
    commit.discard()


def journal_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.lake-commit")


def _fsync_write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def commit_with_warehouse(
    con: duckdb.DuckDBPyConnection,
    commits: list[LakeCommit],
    copy: Path,
    warehouse: Path,
    close: Callable[[], None],
) -> None:
    """Move staged files into place and replace the warehouse with its copy, recoverably."""
    journal = journal_path(warehouse)
    if commits:
        record = {
            "copy": str(copy),
            "roots": sorted({str(c.root) for c in commits}),
            "commits": [
                {
                    "moves": [[str(s), str(d)] for s, d in c.moves],
                    "months": [[str(f), n] for f, n in c.months],
                    "removed": [str(p) for p in c.removed],
                }
                for c in commits
            ],
            "staging": [str(p) for c in commits for p in c.staging],
        }
        _fsync_write(journal, json.dumps(record))
        for commit in commits:
            commit.apply()
        for root in {c.root for c in commits}:
            refresh_views(con, root)
    close()
    os.replace(copy, warehouse)
    if commits:
        journal.unlink()
        for commit in commits:
            commit.discard()


def recover(warehouse: Path, connect: Callable[[Path], duckdb.DuckDBPyConnection]) -> None:
    """Finish a lake commit a killed writer began: its journal was written, so the warehouse copy
    was complete; move the rest of its files, point the views at them and replace the warehouse."""
    journal = journal_path(warehouse)
    if not journal.exists():
        return
    record = json.loads(journal.read_text(encoding="utf-8"))
    root = Path(record["roots"][0]) if record["roots"] else warehouse.parent
    # A journal of an openpeel before month files holds one commit's moves at its top level.
    listed = record.get("commits") or [{"moves": record.get("moves", []), "months": [], "removed": []}]
    commits = [
        LakeCommit(
            root,
            [(Path(s), Path(d)) for s, d in c["moves"]],
            [(Path(f), int(n)) for f, n in c["months"]],
            [Path(p) for p in c["removed"]],
        )
        for c in listed
    ]
    for commit in commits:  # in order: a later commit of the same writer may rewrite a month again
        commit.apply()
    copy = Path(record["copy"])
    if copy.exists():
        con = connect(copy)
        for name in record["roots"]:
            refresh_views(con, Path(name))
        con.execute("CHECKPOINT")
        con.close()
        os.replace(copy, warehouse)
    journal.unlink()
    LakeCommit(root, staging=[Path(p) for p in record["staging"]]).discard()


def remove_stale_staging(root: Path) -> None:
    """Staging folders of writers no longer running (a crash before their journal)."""
    if not root.exists():
        return
    for folder in root.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if pid.isdigit() and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
