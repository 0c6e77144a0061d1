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
from openpeel.ingest.police_uk import bounds
from openpeel.ingest.police_uk.inflate import size_text
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


_LOOKS_LIKE_DATA = re.compile(r".*-(?:street|outcomes|stop-and-search)\.csv")
_FILE = re.compile(
    r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv"
)
SHAPE = "YYYY-MM/YYYY-MM-<force>-<kind>.csv"
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


def _match(
    name: str,
    container: Path,
    is_zip: bool,
    edition: str | None,
    size: int,
    folder: str | None,
    today: dt.date,
) -> SourceFile | None:
    """The monthly file at `name` (a member of a zip, or a path below a folder), None for a file that
    is not one (listed as ignored); an error for one that looks like a data file but is not named
    exactly `YYYY-MM/YYYY-MM-<force>-<kind>.csv`. `folder` is the name of the folder it sits in."""
    where = f"{container}!{name}" if is_zip else str(container / name)
    base = name.rsplit("/", 1)[-1]
    if not _LOOKS_LIKE_DATA.fullmatch(base):
        return None
    match = _FILE.fullmatch(base)
    if not match:
        raise InputError(
            "not a data.police.uk file name",
            path=where,
            hint=f"expected {SHAPE}, e.g. 2014-06/2014-06-kent-street.csv",
        )
    month_name = match.group("month")
    try:
        month = parse_month(month_name)
    except InputError:
        raise InputError(f"{month_name!r} is not a month", path=where, hint=f"expected {SHAPE}") from None
    if folder != month_name:
        place = f"in folder {folder!r}" if folder else "in no month folder"
        raise InputError(
            f"file month {month_name} is {place}",
            path=where,
            hint=f"expected {SHAPE}: each file in the folder of its own month, as in the published archives",
        )
    if month > today.replace(day=1):
        raise InputError(
            f"month {month_name} is after the current month ({month_text(today)})",
            path=where,
            hint="data.police.uk publishes months after they end; a file dated later is not a published one",
        )
    force_id = match.group("force")
    try:
        force = get_force(force_id)
    except UnknownNameError as exc:
        raise InputError(
            f"unknown force id {force_id!r} in the file name", path=where, hint=str(exc)
        ) from None
    if force.force_id != force_id:
        raise InputError(
            f"force {force_id!r} in the file name is not a data.police.uk id",
            path=where,
            hint=f"did you mean {force.force_id!r}?",
        )
    return SourceFile(
        month=month,
        force_id=force_id,
        kind=FileKind(match.group("kind")),
        member=name,
        container=container,
        is_zip=is_zip,
        edition=edition,
        size=size,
    )


def _one_per_force_month(found: list[SourceFile], where: str) -> None:
    """Two files of one container (an archive, or the loose files of a folder) for the same
    force-month-kind: which is the published one is unknown, so neither is taken."""
    first: dict[tuple[dt.date, str, FileKind], SourceFile] = {}
    for source in found:
        earlier = first.setdefault(source.key, source)
        if earlier is not source:
            raise InputError(
                f"two files for {source.force_id} {month_text(source.month)} {source.kind.value}: "
                f"{earlier.member!r} and {source.member!r}",
                path=where,
                hint="an archive or folder holds one file per force, month and kind; remove the copy",
            )


def _check_unique_names(path: Path, every: list[zipfile.ZipInfo]) -> None:
    seen: dict[str, int] = {}
    for position, info in enumerate(every, start=1):
        earlier = seen.setdefault(info.filename, position)
        if earlier != position:
            first = every[earlier - 1]
            raise InputError(
                f"member {info.filename!r} appears twice: as member {earlier} ({first.file_size:,} bytes) "
                f"and as member {position} ({info.file_size:,} bytes)",
                path=path,
                hint="either could be taken for the published file, so the archive is refused; nothing was read",
            )


def _check_declared_sizes(path: Path, chosen: list[tuple[zipfile.ZipInfo, SourceFile]]) -> None:
    """Refuse members whose directory entries say they inflate past a cap, before any is read."""
    total = 0
    for info, source in chosen:
        size, packed = info.file_size, info.compress_size
        if size > bounds.MAX_MEMBER_BYTES:
            reason = f"more than the {size_text(bounds.MAX_MEMBER_BYTES)} cap for one member"
        elif size > bounds.RATIO_FLOOR_BYTES and size > bounds.MAX_RATIO * max(packed, 1):
            reason = (
                f"{size / max(packed, 1):,.0f} times its compressed size, past the {bounds.MAX_RATIO}:1 cap"
            )
        else:
            total += size
            continue
        raise InputError(
            f"refusing archive member: it inflates to {size:,} bytes from {packed:,}, {reason}",
            path=source.display_path,
            hint="no published file is near this; nothing was extracted",
        )
    if total > bounds.MAX_ARCHIVE_BYTES:
        raise InputError(
            f"refusing archive: its data members inflate to {total:,} bytes, more than the "
            f"{size_text(bounds.MAX_ARCHIVE_BYTES)} archive cap",
            path=path,
            hint="nothing was extracted; split the archive, or raise bounds.MAX_ARCHIVE_BYTES",
        )


def _scan_zip(path: Path, today: dt.date) -> tuple[list[SourceFile], list[str]]:
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
    _check_unique_names(path, every)
    chosen: list[tuple[zipfile.ZipInfo, SourceFile]] = []
    ignored = []
    edition = _edition_of(path.with_suffix(""))
    for info in every:
        if info.is_dir():
            continue
        name = info.filename
        folder = name.rsplit("/", 2)[-2] if "/" in name else None
        source = _match(name, path, True, edition, info.file_size, folder, today)
        if source is None:
            ignored.append(f"{path}!{name}")
        else:
            chosen.append((info, source))
    found = [source for _, source in chosen]
    _one_per_force_month(found, str(path))
    _check_declared_sizes(path, chosen)
    return found, ignored


def _scan_dir(path: Path, today: dt.date) -> tuple[list[SourceFile], list[str]]:
    found, loose, ignored = [], [], []
    edition = _edition_of(path)
    for file in sorted(path.rglob("*")):
        if file.is_dir():
            continue
        if file.suffix == ".zip":
            zfound, zignored = _scan_zip(file, today)
            found += zfound
            ignored += zignored
            continue
        name = file.relative_to(path).as_posix()
        source = _match(name, path, False, edition, file.stat().st_size, file.parent.name, today)
        if source is None:
            ignored.append(str(file))
        else:
            loose.append(source)
    _one_per_force_month(loose, str(path))
    return found + loose, ignored


def discover(
    paths: Sequence[Path],
    *,
    forces: Iterable[str] | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    today: dt.date | None = None,
) -> Discovery:
    """Every monthly file under `paths` (zips, folders, single CSVs), one per force-month-kind.

    A file that looks like a data file must be named exactly `YYYY-MM/YYYY-MM-<force>-<kind>.csv`
    (its folder its own month) for a month no later than `today`'s (default: the date now), and an
    archive or folder may hold only one file per force-month-kind; otherwise InputError, before
    anything is read. Archive members whose directory entries declare more than the caps of
    `bounds` are refused the same way. When a force-month-kind comes from several archives or
    folders, the copy from the newest edition wins (then the one given last); the others are
    returned as `superseded`.
    """
    today = today or dt.date.today()
    wanted = set(forces) if forces else None
    candidates: list[SourceFile] = []
    ignored: list[str] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            found, skipped = _scan_dir(path, today)
        elif path.suffix == ".zip":
            found, skipped = _scan_zip(path, today)
        else:
            source = _match(path.name, path.parent, False, None, path.stat().st_size, path.parent.name, today)
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
