"""Where data.police.uk files live: archive zips and folders laid out `YYYY-MM/YYYY-MM-<force>-<kind>.csv`.

A data.police.uk archive `YYYY-MM.zip` (its *edition*) holds up to 36 months back from YYYY-MM.
The same force-month can therefore arrive several times, from several editions; the newest
edition wins.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.core.months import month_text, parse_month
from openpeel.forces import get_force
from openpeel.ingest.police_uk.members import READ_ERRORS, check_member_names


class FileKind(StrEnum):
    STREET = "street"
    OUTCOMES = "outcomes"
    STOP_SEARCH = "stop-and-search"

    @property
    def table(self) -> str:
        return {
            FileKind.STREET: "raw_police_uk_street",
            FileKind.OUTCOMES: "raw_police_uk_outcomes",
            FileKind.STOP_SEARCH: "raw_police_uk_stop_search",
        }[self]

    @property
    def dataset(self) -> str:
        return f"police-uk-{self.value}"


_MEMBER = re.compile(
    r"(?:^|/)(?:(?P<dir>\d{4}-\d{2})/)?(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-"
    r"(?P<kind>street|outcomes|stop-and-search)\.csv$"
)
_EDITION = re.compile(r"^(\d{4}-\d{2})(?:\.zip)?$")


@dataclass(frozen=True)
class SourceFile:
    """One monthly CSV, in a folder (`zip_path` None) or inside an archive zip."""

    month: dt.date
    force_id: str
    kind: FileKind
    member: str
    container: Path
    is_zip: bool
    edition: str | None
    size: int

    @property
    def source_id(self) -> str:
        """Stable id, independent of the archive it came in: `police-uk/YYYY-MM/YYYY-MM-force-kind.csv`."""
        m = month_text(self.month)
        return f"police-uk/{m}/{m}-{self.force_id}-{self.kind.value}.csv"

    @property
    def display_path(self) -> str:
        return f"{self.container}!{self.member}" if self.is_zip else str(self.container / self.member)

    @property
    def key(self) -> tuple[dt.date, str, FileKind]:
        return (self.month, self.force_id, self.kind)


@dataclass(frozen=True)
class Discovery:
    files: list[SourceFile]
    ignored: list[str]
    superseded: list[SourceFile]


def _edition_of(path: Path) -> str | None:
    match = _EDITION.match(path.name)
    return match.group(1) if match else None


def _match(name: str, container: Path, is_zip: bool, edition: str | None, size: int) -> SourceFile | None:
    match = _MEMBER.search(name)
    if not match:
        return None
    if match.group("dir") and match.group("dir") != match.group("month"):
        raise InputError(
            f"file month {match.group('month')} is in folder {match.group('dir')}",
            path=f"{container}!{name}" if is_zip else container / name,
            hint="files must sit in the folder of their own month, as in the published archives",
        )
    force_id = match.group("force")
    try:
        force = get_force(force_id)
    except UnknownNameError as exc:
        raise InputError(
            f"unknown force id {force_id!r} in the file name",
            path=f"{container}!{name}" if is_zip else container / name,
            hint=str(exc),
        ) from None
    if force.force_id != force_id:
        raise InputError(
            f"force {force_id!r} in the file name is not a data.police.uk id",
            path=container / name,
            hint=f"did you mean {force.force_id!r}?",
        )
    return SourceFile(
        month=parse_month(match.group("month")),
        force_id=force_id,
        kind=FileKind(match.group("kind")),
        member=name,
        container=container,
        is_zip=is_zip,
        edition=edition,
        size=size,
    )


def _scan_zip(path: Path) -> tuple[list[SourceFile], list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            every = archive.infolist()
    except READ_ERRORS as exc:
        raise InputError(
            f"not a readable zip archive ({exc})",
            path=path,
            hint="the download may be truncated: run `openpeel download` again to fetch it whole",
        ) from None
    check_member_names(path, [info.filename for info in every])
    infos = [(info.filename, info.file_size) for info in every if not info.is_dir()]
    found, ignored = [], []
    edition = _edition_of(path.with_suffix(""))
    for name, size in infos:
        source = _match(name, path, True, edition, size)
        if source is None:
            ignored.append(f"{path}!{name}")
        else:
            found.append(source)
    return found, ignored


def _scan_dir(path: Path) -> tuple[list[SourceFile], list[str]]:
    found, ignored = [], []
    edition = _edition_of(path)
    for file in sorted(path.rglob("*")):
        if file.is_dir():
            continue
        if file.suffix == ".zip":
            zfound, zignored = _scan_zip(file)
            found += zfound
            ignored += zignored
            continue
        name = file.relative_to(path).as_posix()
        source = _match(name, path, False, edition, file.stat().st_size)
        if source is None:
            ignored.append(str(file))
        else:
            found.append(source)
    return found, ignored


def discover(
    paths: Sequence[Path],
    *,
    forces: Iterable[str] | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
) -> Discovery:
    """Every monthly file under `paths` (zips, folders, single CSVs), one per force-month-kind.

    When a force-month-kind appears more than once, the copy from the newest edition wins (then
    the one given last); the others are returned as `superseded`.
    """
    wanted = set(forces) if forces else None
    candidates: list[SourceFile] = []
    ignored: list[str] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            found, skipped = _scan_dir(path)
        elif path.suffix == ".zip":
            found, skipped = _scan_zip(path)
        else:
            source = _match(path.name, path.parent, False, None, path.stat().st_size)
            if source is None:
                raise InputError(
                    "not a data.police.uk monthly file name",
                    path=path,
                    hint="expected YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv",
                )
            found, skipped = [source], []
        candidates += found
        ignored += skipped
    chosen: dict[tuple[dt.date, str, FileKind], SourceFile] = {}
    superseded: list[SourceFile] = []
    for source in candidates:
        if wanted is not None and source.force_id not in wanted:
            continue
        if (month_from and source.month < month_from) or (month_to and source.month > month_to):
            continue
        previous = chosen.get(source.key)
        if previous is not None:
            if (source.edition or "") >= (previous.edition or ""):
                superseded.append(previous)
                chosen[source.key] = source
            else:
                superseded.append(source)
            continue
        chosen[source.key] = source
    files = sorted(chosen.values(), key=lambda s: (s.month, s.kind.value, s.force_id))
    return Discovery(files=files, ignored=ignored, superseded=superseded)
