"""Editions of the same ONS tables in a data folder: the one openpeel has always read, and any newer
edition a user adds beside it (a later rec-crime-pfa CSV, a later PFA data tables workbook).

Every edition of a table found in its folder is read with the same parser. Editions are ordered by
the latest period they hold (then by file name), and each period's figures come whole from the
newest edition holding it: a later edition revises earlier periods and adds new ones, and the
published England and Wales totals it is checked against are that edition's own. An edition that
wins no period is not loaded. The edition openpeel has always read keeps its source id; another
gets one made from its file name, so every figure names the file it came from.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from python_calamine import CalamineWorkbook

from openpeel.core.errors import InputError
from openpeel.ingest.records import ControlTotal

RowT = TypeVar("RowT")
PeriodT = TypeVar("PeriodT", bound=Hashable)


@dataclass(frozen=True)
class SourceFile:
    source_id: str
    dataset: str
    publisher: str
    path: str
    """the edition openpeel has always read, under the data folder"""

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]

    def edition_id(self, path: Path) -> str:
        """The source id of one edition: this source's own for its usual file, else one from the name."""
        if path.name == Path(self.path).name:
            return self.source_id
        return f"{self.source_id}-{re.sub(r'[^a-z0-9]+', '-', path.stem.lower()).strip('-')}"

    def edition_dataset(self, path: Path) -> str:
        if path.name == Path(self.path).name:
            return self.dataset
        return f"{self.dataset.split(' (')[0]} (edition {path.name})"


@dataclass(frozen=True)
class Edition(Generic[RowT, PeriodT]):
    path: Path
    source_id: str
    rows: list[RowT]
    controls: list[ControlTotal]
    periods: dict[PeriodT, list[RowT]]

    @property
    def latest(self) -> PeriodT:
        return max(self.periods)  # type: ignore[type-var]


@dataclass(frozen=True)
class Merged(Generic[RowT]):
    rows: list[RowT]
    controls: list[ControlTotal]
    used: list[Path]
    """the editions that gave any period, oldest first"""


def edition_files(data_dir: Path, source: SourceFile, pattern: str) -> list[Path]:
    """Every file of the source's folder matching `pattern`; an error names the usual file if none."""
    files = sorted((data_dir / source.folder).glob(pattern)) if (data_dir / source.folder).is_dir() else []
    if not files:
        raise InputError(
            "file not found",
            path=data_dir / source.path,
            hint=f"expected {source.dataset} (or a newer edition of it in {source.folder}/)",
        )
    return files


def holds_table(path: Path, table_code: str) -> bool:
    """Whether a workbook has a sheet for ONS table `table_code` ("Table P7")."""
    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise InputError(f"not a readable spreadsheet: {exc}", path=path) from exc
    pattern = re.compile(rf"^\s*table\s+{re.escape(table_code)}\s*$", re.IGNORECASE)
    return any(pattern.match(n) for n in names)


def merge_editions(
    source: SourceFile,
    paths: Sequence[Path],
    parse: Callable[[Path], tuple[list[RowT], list[ControlTotal]]],
    period_of: Callable[[RowT], PeriodT],
    control_period: Callable[[ControlTotal], PeriodT | None],
) -> Merged[RowT]:
    """Read each edition and take each period whole from the newest edition holding it."""
    editions: list[Edition[RowT, PeriodT]] = []
    for path in paths:
        parsed, checks = parse(path)
        source_id = source.edition_id(path)
        tagged = [dataclasses.replace(r, source_id=source_id) for r in parsed]  # type: ignore[type-var]
        periods: dict[PeriodT, list[RowT]] = {}
        for row in tagged:
            periods.setdefault(period_of(row), []).append(row)
        if periods:
            editions.append(Edition(path, source_id, tagged, checks, periods))
    editions.sort(key=lambda e: (e.latest, e.path.name))
    winner: dict[PeriodT, Edition[RowT, PeriodT]] = {}
    for edition in editions:
        for period in edition.periods:
            winner[period] = edition  # later editions come later: the newest holding a period wins
    rows: list[RowT] = []
    controls: list[ControlTotal] = []
    used: list[Path] = []
    for edition in editions:
        won = [p for p in edition.periods if winner[p] is edition]
        if not won:
            continue
        used.append(edition.path)
        for period in sorted(won):  # type: ignore[type-var]
            rows.extend(edition.periods[period])
        controls.extend(c for c in edition.controls if control_period(c) in won)
    return Merged(rows, controls, used)
