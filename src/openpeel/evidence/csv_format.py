"""Evidence as CSV: a folder holding `inspections.csv` and `findings.csv`, one row per item.

Both files start with `force` and `year`, so one folder can hold many forces and years. Lists
(topics, indicators, explains) are separated by semicolons; booleans are true/false. Rows are
validated exactly like YAML evidence, and errors name the CSV file, its line and the column.
Text that a spreadsheet could run as a formula is written with a leading apostrophe, which reading
removes again (openpeel.core.csv_cells).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpeel.core.csv_cells import unguard_cell, write_csv
from openpeel.core.errors import InputError
from openpeel.core.user_input import read_user_file
from openpeel.evidence.loader import validate_evidence
from openpeel.evidence.models import EvidenceFile

INSPECTIONS_CSV = "inspections.csv"
FINDINGS_CSV = "findings.csv"
INSPECTION_COLUMNS = (
    "force",
    "year",
    "id",
    "kind",
    "title",
    "fieldwork_start",
    "fieldwork_end",
    "published",
    "source",
    "summary",
)
FINDING_COLUMNS = (
    "force",
    "year",
    "id",
    "inspection",
    "question",
    "kind",
    "topics",
    "indicators",
    "explains",
    "source_ref",
    "is_exceptional",
    "is_resolved",
    "in_overview",
    "text",
    "fact",
)
LIST_COLUMNS = frozenset({"topics", "indicators", "explains"})
LIST_SEPARATOR = ";"


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line the row starts on, row) for every data row; unknown or missing columns are errors."""
    if not path.exists():
        raise InputError(f"{path.name} not found in the evidence folder", path=path)
    text = read_user_file(path, what="evidence file").removeprefix("\ufeff")
    out = []
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InputError("empty file; expected a header row", path=path, line=1)
        header = [h.strip() for h in header]
        for name in header:
            if name not in columns:
                close = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
                hint = f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(columns)}"
                raise InputError("unknown column", path=path, line=1, field=name, hint=hint)
        for name in ("force", "year", "id"):
            if name not in header:
                raise InputError("missing column", path=path, line=1, field=name)
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) != len(header):
                    raise InputError(f"{len(record)} values for {len(header)} columns", path=path, line=start)
                out.append((start, dict(zip(header, map(unguard_cell, record), strict=True))))
            start = reader.line_num + 1
    return out


def _item(line: int, row: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"__line__": line}
    for name, value in row.items():
        if name in ("force", "year"):
            continue
        value = value.strip()
        if not value:
            continue
        if name in LIST_COLUMNS:
            item[name] = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        else:
            item[name] = value
    return item


def read_evidence_csv(folder: Path) -> list[EvidenceFile]:
    """Every force and year's evidence in the folder, validated; the first problem stops the read."""
    files = {"inspections": folder / INSPECTIONS_CSV, "findings": folder / FINDINGS_CSV}
    if not folder.is_dir():
        raise InputError("evidence folder not found (expected inspections.csv and findings.csv)", path=folder)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for part, columns in (("inspections", INSPECTION_COLUMNS), ("findings", FINDING_COLUMNS)):
        for line, row in _rows(files[part], columns):
            force, year = row.get("force", "").strip(), row.get("year", "").strip()
            if not force:
                raise InputError("a force is required", path=files[part], line=line, field="force")
            group = groups.setdefault(
                (force, year),
                {
                    "__line__": line,
                    "__part__": part,
                    "force": force,
                    "year": year,
                    "inspections": [],
                    "findings": [],
                },
            )
            group[part].append(_item(line, row))
    out = []
    for group in groups.values():
        first_part = group.pop("__part__")
        try:
            out.append(validate_evidence(group, folder))
        except InputError as exc:
            part, _, rest = (exc.field or "").partition(".")
            if part in files and rest:
                column = rest.partition(".")[2] or rest
                raise InputError(
                    exc.reason, path=files[part], line=exc.line, field=column.split(".")[0], hint=exc.hint
                ) from None
            raise InputError(
                exc.reason, path=files[first_part], line=exc.line, field=exc.field, hint=exc.hint
            ) from None
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        for part in value:
            if LIST_SEPARATOR in str(part):
                raise InputError(
                    f"list item {part!r} contains {LIST_SEPARATOR!r}, which CSV uses to separate items"
                )
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _cells(ev: EvidenceFile, obj: Any, columns: tuple[str, ...]) -> list[str]:
    data = obj.model_dump(mode="json")
    data.update(force=ev.force, year=ev.year)
    return [_cell(data.get(c)) for c in columns]


def write_evidence_csv(evidence: Iterable[EvidenceFile], folder: Path) -> list[Path]:
    """Write inspections.csv and findings.csv for all the given evidence into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    items = list(evidence)
    paths = []
    for name, columns, attr in (
        (INSPECTIONS_CSV, INSPECTION_COLUMNS, "inspections"),
        (FINDINGS_CSV, FINDING_COLUMNS, "findings"),
    ):
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            write_csv(
                handle, [columns, *(_cells(ev, obj, columns) for ev in items for obj in getattr(ev, attr))]
            )
        paths.append(path)
    return paths
