"""Fetch data.police.uk archive zips: resumable, checked, never fetched twice.

`https://data.police.uk/data/archive/YYYY-MM.zip` holds the 36 months up to YYYY-MM. For a range
of months we fetch the fewest archives covering it, newest first. Each download goes to
`NAME.zip.part`, resumed with an HTTP Range request after an interruption, then checked (every
member's CRC, via zipfile) before it is renamed to `NAME.zip`; its SHA-256 and size are recorded
in `SHA256SUMS` beside it. An archive already there whose checksum matches is not fetched again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpeel.core.errors import InputError, OpenpeelError
from openpeel.core.months import add_months, month_text, parse_month
from openpeel.ingest.police_uk.members import READ_ERRORS, check_member_names

ARCHIVE_MONTHS = 36
FIRST_MONTH = dt.date(2010, 12, 1)
_CHUNK = 1 << 20
SUMS = "SHA256SUMS"


@dataclass
class Downloaded:
    path: Path
    status: str
    """downloaded, resumed or already-present"""
    bytes: int
    sha256: str
    notes: list[str] = field(default_factory=list)


def archives_for(month_from: dt.date, month_to: dt.date) -> list[dt.date]:
    """Editions (archive months) whose 36-month windows cover [month_from, month_to], newest first."""
    if month_from > month_to:
        raise InputError(f"--from {month_text(month_from)} is after --to {month_text(month_to)}")
    out = []
    edition = month_to
    while True:
        out.append(edition)
        oldest = add_months(edition, -(ARCHIVE_MONTHS - 1))
        if oldest <= month_from:
            return out
        edition = add_months(oldest, -1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_sums(dest: Path) -> dict[str, str]:
    path = dest / SUMS
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name] = digest
    return out


def _write_sums(dest: Path, sums: dict[str, str]) -> None:
    tmp = dest / (SUMS + ".tmp")
    tmp.write_text("".join(f"{d}  {n}\n" for n, d in sorted(sums.items())), encoding="utf-8")
    tmp.replace(dest / SUMS)


def _fetch(url: str, part: Path, progress: Callable[[str, int, int | None], None] | None, name: str) -> bool:
    """Download `url` into `part`, continuing from its current size; True if it resumed."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "openpeel"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            return True
        raise OpenpeelError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise OpenpeelError(f"{url}: cannot connect ({exc}); run the same command again to resume") from None
    with response:
        resumed = have > 0 and response.status == 206
        if not resumed:
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        mode = "ab" if resumed else "wb"
        done = have
        with part.open(mode) as out:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, TimeoutError) as exc:
                    raise OpenpeelError(
                        f"{url}: connection lost after {done:,} bytes ({exc}); run the same command again to resume"
                    ) from None
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(name, done, total)
        if total is not None and done != total:
            raise OpenpeelError(
                f"{url}: got {done:,} of {total:,} bytes; run the same command again to resume"
            )
    return resumed


def _check_zip(path: Path) -> list[str]:
    """Every member name (all safe to extract), after every member passed its CRC check."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            check_member_names(path, names)
            for info in archive.infolist():
                _check_member(path, archive, info)
    except READ_ERRORS as exc:
        raise InputError(
            f"downloaded file is not a complete zip ({exc})",
            path=path,
            hint="delete it and run the download again",
        ) from None
    return names


def _check_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    # zipfile.testzip() lets corrupt deflate data escape as zlib.error with no member name.
    try:
        with archive.open(info) as member:
            while member.read(_CHUNK):
                pass
    except READ_ERRORS as exc:
        raise InputError(
            f"member {info.filename} is damaged ({type(exc).__name__}: {exc})",
            path=f"{path}!{info.filename}",
            hint="delete it and download again",
        ) from None


def download(
    month_from: str,
    month_to: str,
    *,
    dest: Path,
    base_url: str = "https://data.police.uk/data/archive/",
    forces: Sequence[str] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> list[Downloaded]:
    """Fetch the archives covering the months into `dest`; report which wanted force-months are absent."""
    start, end = parse_month(month_from), parse_month(month_to)
    if start < FIRST_MONTH:
        raise InputError(f"data.police.uk starts in {month_text(FIRST_MONTH)}", field="--from")
    dest.mkdir(parents=True, exist_ok=True)
    sums = _read_sums(dest)
    results = []
    for edition in archives_for(start, end):
        name = f"{month_text(edition)}.zip"
        target = dest / name
        if target.exists() and name not in sums:
            _check_zip(target)
            sums[name] = _sha256(target)
            _write_sums(dest, sums)
        if target.exists() and sums.get(name) == _sha256(target):
            result = Downloaded(target, "already-present", target.stat().st_size, sums[name])
        else:
            part = dest / (name + ".part")
            resumed = _fetch(base_url.rstrip("/") + "/" + name, part, progress, name)
            _check_zip(part)
            digest = _sha256(part)
            part.replace(target)
            sums[name] = digest
            _write_sums(dest, sums)
            result = Downloaded(target, "resumed" if resumed else "downloaded", target.stat().st_size, digest)
        names = set(_check_zip(target)) if forces else set()
        for force_id in forces or ():
            window = [m for m in _window(edition) if start <= m <= end]
            absent = [
                month_text(m)
                for m in window
                if f"{month_text(m)}/{month_text(m)}-{force_id}-street.csv" not in names
            ]
            if absent:
                result.notes.append(f"{force_id}: no street file for {', '.join(absent)}")
        results.append(result)
    return results


def _window(edition: dt.date) -> list[dt.date]:
    return [add_months(edition, -k) for k in range(ARCHIVE_MONTHS)]
