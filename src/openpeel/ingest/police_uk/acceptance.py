"""Whether a loaded file may store its force-month: a stored month is replaced only by one at least
as good, and a file mostly of bad rows stores nothing.

A file is refused for its force-month (its rows are not stored, what was stored stays, the
refusal is recorded with its reason) when:
- it is header only: a month with no rows says nothing, and must show as a gap, never as a zero;
- none of its rows pass validation (all for another month, another force, ...);
- more than bounds.MAX_BAD_SHARE of its rows fail validation;
- a force-month is stored and the file's good rows are fewer than bounds.MIN_SHARE_OF_STORED of
  the rows stored.
`openpeel ingest --replace` stores the file anyway (then the month holds what the file holds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openpeel.ingest.police_uk import bounds

_MONTH_FIELDS = {"Month", "Date"}


@dataclass(frozen=True)
class Loaded:
    """What a file held, as the load found it."""

    lines: int
    """Data lines (lines minus the header)."""
    stored: int
    """Rows that pass validation (for a reading stopped early: the fast path's count, at most this)."""
    quarantined: int
    """Rows that fail (for a reading stopped early: at least this many)."""
    records: int
    """CSV records read (a quoted field may span lines)."""
    complete: bool = True
    by_field: Mapping[str, int] = field(default_factory=dict)
    first_bad: tuple[int, str, str] | None = None
    """(line, field, reason) of the first bad row."""


def _bad_ratio() -> float:
    share = bounds.MAX_BAD_SHARE
    return float("inf") if share >= 1 else share / (1 - share)


def certain_refusal(fast_stored: int, kept: int) -> Callable[[int], bool]:
    """For the row-by-row reload: True once `bad` rows so far make the file's refusal certain, given
    the rows the fast path found good (the reload finds no more) and the rows stored (`kept`)."""

    def stop(bad: int) -> bool:
        if kept and fast_stored < bounds.MIN_SHARE_OF_STORED * kept:
            return True
        return bad > _bad_ratio() * fast_stored

    return stop


def _first(loaded: Loaded) -> str:
    if loaded.first_bad is None:
        return ""
    line, fld, reason = loaded.first_bad
    return f" (first, line {line}, field '{fld}': {reason})"


def _fields(loaded: Loaded) -> str:
    if not loaded.by_field:
        return ""
    top = sorted(loaded.by_field.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return "; failing checks: " + ", ".join(f"{name} {n:,}" for name, n in top)


def refusal(loaded: Loaded, kept: int) -> str | None:
    """Why `loaded` may not store its force-month, or None. `kept`: rows stored for it now (0: none)."""
    if loaded.lines == 0:
        return "header only: the file has no data rows, so it says nothing of the month"
    at_least = "" if loaded.complete else "at least "
    if loaded.stored == 0:
        if loaded.by_field and set(loaded.by_field) <= _MONTH_FIELDS:
            return f"every row is for another month than the file's{_first(loaded)}"
        return f"none of its {loaded.lines:,} rows passed validation{_fields(loaded)}{_first(loaded)}"
    total = loaded.records if loaded.complete else loaded.lines
    if loaded.quarantined > bounds.MAX_BAD_SHARE * max(total, 1) or (
        not loaded.complete and (loaded.quarantined > _bad_ratio() * loaded.stored)
    ):
        return (
            f"{at_least}{loaded.quarantined:,} of {total:,} rows failed validation, more than "
            f"{bounds.MAX_BAD_SHARE:.0%}{_fields(loaded)}{_first(loaded)}"
        )
    if kept and loaded.stored < bounds.MIN_SHARE_OF_STORED * kept:
        return (
            f"{loaded.stored:,} rows pass validation, fewer than "
            f"{'half' if bounds.MIN_SHARE_OF_STORED == 0.5 else f'{bounds.MIN_SHARE_OF_STORED:.0%}'} "
            f"of the {kept:,} stored"
        )
    return None
