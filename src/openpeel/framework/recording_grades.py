"""How well each force records crime, as the inspectorate judged it (framework/published/recording-grades.csv).

A fall in recorded crime means little where the force was failing to record crimes. The
inspectorate judged recording in its 2014 national crime data integrity inspection (ungraded,
with audit figures per force), in the rolling crime data integrity inspections of 2016-2020
(graded on the four-tier scale, usually with an estimate of the share of reported crimes that
went unrecorded, and re-inspections where a force was found wanting), and from PEEL 2021/22 in
the area "recording data about crime". Each row of the file is one such judgement or finding for
one force, with the page that states it and the kind of page (the inspectorate's own, a
commissioner's, the force's, or the press). Rows are validated as the published grades are: an
error names the file, the line and the field.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.core.text_table import text_table_lines
from openpeel.forces import territorial_forces
from openpeel.framework.loader import available_years, load_framework

COLUMNS = (
    "force_id",
    "inspection",
    "period_from",
    "period_to",
    "grade",
    "unrecorded_pct",
    "published",
    "source_url",
    "source_kind",
    "note",
    "finding",
)
FOLDER = "published"
FILE = "recording-grades.csv"
SOURCE_KINDS = ("inspectorate", "commissioner", "force", "press")

# What each inspection id names; an id is a kind and the year in the report's title, e.g.
# crime-data-integrity-2016. PEEL kinds take the year of the cycle (peel-2021 is PEEL 2021/22).
KINDS = {
    "crime-recording": "an inspection of one force's crime recording before the national programme",
    "crime-data-integrity-interim": "the interim report of the 2014 national inspection",
    "crime-data-integrity": "a crime data integrity inspection (2014 national; 2016-2020 rolling)",
    "crime-data-integrity-reinspection": "a crime data integrity re-inspection",
    "victim-service": "an inspection of the service to victims that audited crime recording",
    "peel": "the PEEL area recording data about crime",
    "peel-cause-of-concern": "a PEEL cause of concern about crime recording",
    "peel-revisit": "a PEEL revisit of crime recording",
}
# The crime data integrity programme graded on the four-tier scale PEEL used until 2020.
FOUR_TIER = ("outstanding", "good", "requires-improvement", "inadequate")
CONCERN_GRADES = frozenset({"requires-improvement", "inadequate"})
# What an inspection found about recording, where neither a grade nor a share says it: the
# `finding` column (under-recording; recording improved since an earlier inspection; accurate).
FINDINGS = ("under-recording", "improved", "accurate")
# Without the audited months a judgement is placed by its date alone. The inspectorate published
# its crime data integrity reports 6-10 months after the audited months ended (Devon and Cornwall
# 2016: 8, Kent 2017: 6.5, Avon and Somerset 2016: 10), so one published more than a year after a
# data period ended most likely audited later records.
MAX_LAG = dt.timedelta(days=365)
# The 2014 national inspection's per-force figures came from small dip samples, which the
# inspectorate said were not statistically significant: a share it gave is not a finding of
# under-recording on its own.
DIP_SAMPLE_INSPECTIONS = frozenset({"crime-data-integrity-2014", "crime-data-integrity-interim-2014"})


class RecordingJudgement(BaseModel):
    """One judgement or finding on a force's crime recording, with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    force_id: str = Field(pattern=r"^[a-z-]+$")
    inspection: str = Field(pattern=r"^[a-z-]+-\d{4}$")
    period_from: dt.date | None = Field(default=None, description="First day of the audited records")
    period_to: dt.date | None = Field(default=None, description="Last day of the audited records")
    grade: str | None = Field(default=None, description="Empty where the inspection gave no grade")
    unrecorded_pct: float | None = Field(
        default=None, ge=0, le=100, description="The estimated share of reported crimes not recorded"
    )
    published: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}(-\d{2})?$",
        description="YYYY-MM-DD, or YYYY-MM where the sources give only the month",
    )
    source_url: str = Field(pattern=r"^https?://\S+$")
    source_kind: str
    note: str | None = None
    finding: Literal["under-recording", "improved", "accurate"] | None = Field(
        default=None, description="under-recording, improved or accurate, where no grade or share says it"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # CSV has no null: an empty cell means "not given".
        return None if value == "" else value

    @property
    def kind(self) -> str:
        return self.inspection.rsplit("-", 1)[0]

    @property
    def year(self) -> int:
        return int(self.inspection.rsplit("-", 1)[1])

    @property
    def published_on(self) -> dt.date | None:
        """The publication date; the first of the month where only the month is known."""
        if self.published is None:
            return None
        parts = [int(p) for p in self.published.split("-")]
        return dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)

    @property
    def published_by(self) -> dt.date | None:
        """The last day it may have been published (the month's end where only the month is known)."""
        first = self.published_on
        if first is None or self.published is None or len(self.published) == 10:
            return first
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])

    @property
    def is_concern(self) -> bool:
        """Graded requires improvement or inadequate: a crime count may reflect recording."""
        return self.grade in CONCERN_GRADES

    @property
    def found(self) -> str | None:
        """What the inspection found about recording: under-recording (a grade of requires
        improvement or inadequate, a share of crimes unrecorded from a force's own inspection, or
        the `finding` column), improved, accurate (good or outstanding), or None (nothing stated)."""
        if self.finding is not None:
            return self.finding
        if self.is_concern:
            return "under-recording"
        if self.grade is None and self.unrecorded_pct is not None:
            return None if self.inspection in DIP_SAMPLE_INSPECTIONS else "under-recording"
        if self.grade in ("good", "outstanding"):
            return "accurate"
        return None

    def audited_within(self, start: dt.date, end: dt.date) -> bool:
        """The audited records overlap the span start..end."""
        if self.period_from is None or self.period_to is None:
            return False
        return self.period_from <= end and self.period_to >= start


def _grades_for(kind: str, year: int) -> tuple[str, ...] | None:
    """The grade ids an inspection may give, or None where openpeel has no framework for the cycle."""
    if not kind.startswith("peel"):
        return FOUR_TIER
    if year not in available_years():
        return None
    return tuple(g.id for g in load_framework(year).grade_scale)


def _records(text: str, where: str) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InputError(f"expected the columns {', '.join(COLUMNS)}", path=where, line=1)
    for record in reader:
        # DictReader counts physical lines, so quoted newlines keep line numbers right.
        yield reader.line_num, record


def parse_recording_grades(text: str, where: str) -> list[RecordingJudgement]:
    """Validate recording judgements given as CSV text; `where` names the file in errors."""
    force_ids = {f.force_id for f in territorial_forces()}
    seen: dict[tuple[str, str, str | None], int] = {}
    rows = []
    for line, record in _records(text, where):
        try:
            row = RecordingJudgement.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(first["msg"], path=where, line=line, field=field) from None

        def fail(message: str, field: str, hint: str | None = None, *, at: int = line) -> InputError:
            # `at` binds this row's line now, not the loop variable's last value.
            return InputError(message, path=where, line=at, field=field, hint=hint)

        if row.force_id not in force_ids:
            raise fail(
                str(UnknownNameError("force", row.force_id, [])), "force_id", "a data.police.uk force id"
            )
        if row.kind not in KINDS:
            raise fail(f"unknown inspection kind {row.kind!r}", "inspection", ", ".join(KINDS))
        if row.source_kind not in SOURCE_KINDS:
            raise fail(f"unknown source kind {row.source_kind!r}", "source_kind", ", ".join(SOURCE_KINDS))
        if row.grade is not None:
            allowed = _grades_for(row.kind, row.year)
            if allowed is None:
                raise fail(f"no framework for the PEEL cycle of {row.year}", "inspection")
            if row.grade not in allowed:
                raise fail(f"{row.inspection} has no grade {row.grade!r}", "grade", ", ".join(allowed))
        if (row.period_from is None) != (row.period_to is None):
            raise fail("give both period_from and period_to, or neither", "period_from")
        if row.period_from is not None and row.period_to is not None:
            if row.period_from > row.period_to:
                raise fail("the audited period ends before it starts", "period_to")
            published_by = row.published_by
            if published_by is not None and published_by < row.period_to:
                raise fail("published before the end of the period it audited", "published")
        key = (row.force_id, row.inspection, row.published)
        if key in seen:
            raise fail(
                f"a second row for {row.force_id} {row.inspection} published {row.published or '(no date)'} "
                f"(first on line {seen[key]})",
                "published",
            )
        seen[key] = line
        rows.append(row)
    return rows


@cache
def _load() -> tuple[RecordingJudgement, ...]:
    where = f"openpeel/framework/{FOLDER}/{FILE}"
    text = resources.files("openpeel.framework").joinpath(FOLDER, FILE).read_text(encoding="utf-8")
    return tuple(parse_recording_grades(text, where))


def load_recording_grades() -> list[RecordingJudgement]:
    """Every recording judgement in the shipped file."""
    return list(_load())


def recording_grades(force: str | None = None) -> list[RecordingJudgement]:
    """Recording judgements of every force, or of one (data.police.uk id), oldest first."""
    rows = load_recording_grades()
    if force is not None:
        if force not in {f.force_id for f in territorial_forces()}:
            raise UnknownNameError("force", force, [])
        rows = [r for r in rows if r.force_id == force]
    return sorted(rows, key=lambda r: (r.force_id, r.published_on or dt.date.max, r.inspection))


def _current(rows: list[RecordingJudgement]) -> list[RecordingJudgement]:
    """Rows not superseded: a later row of the same inspection (a revised grade) replaces earlier ones."""
    latest: dict[tuple[str, str], dt.date] = {}
    for row in rows:
        if row.published_on is not None:
            key = (row.force_id, row.inspection)
            latest[key] = max(latest.get(key, row.published_on), row.published_on)
    return [r for r in rows if r.published_on is None or r.published_on == latest[(r.force_id, r.inspection)]]


def _applies(row: RecordingJudgement, start: dt.date, end: dt.date) -> bool:
    """Whether a current, dated judgement can describe recording in start..end.

    With the audited months known they decide: an audit of records in the span applies, and so
    does one of earlier records published once the span had begun (the latest word on recording
    then); an audit of later records only never does, however soon it was published. Without them
    the date decides: published after the span began and within MAX_LAG of its end."""
    published = row.published_on
    if published is None:
        return False
    if row.period_from is not None and row.period_to is not None:
        if row.period_from > end:
            return False
        return row.audited_within(start, end) or published >= start
    return start <= published <= end + MAX_LAG


def recording_judgements_within(
    force_id: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    as_of: dt.date | None = None,
    rows: Iterable[RecordingJudgement] | None = None,
) -> list[RecordingJudgement]:
    """Every judgement that can describe the force's recording in the span (see `_applies`),
    oldest first: for a change over several years, what was found at any point of it."""
    source = load_recording_grades() if rows is None else list(rows)
    # What was published by `as_of` first, so a revision published later does not hide the grade
    # that stood then.
    known = [
        r
        for r in source
        if r.force_id == force_id
        and r.published_on is not None
        and (as_of is None or r.published_on <= as_of)
    ]
    found = [r for r in _current(known) if _applies(r, period_start, period_end)]
    return sorted(found, key=lambda r: (r.published_on or dt.date.max, r.inspection))


def recording_judgement_for(
    force_id: str,
    period_start: dt.date,
    period_end: dt.date | None = None,
    *,
    as_of: dt.date | None = None,
    rows: Iterable[RecordingJudgement] | None = None,
) -> RecordingJudgement | None:
    """The inspectorate's judgement of a force's recording that applies to its data for a period.

    A judgement applies when its audit looked at records of the period, or at earlier records and
    it was published after the period began (the word on recording while the data were made);
    where the audited months are not known, when it was published after the period began and
    within a year of its end (MAX_LAG: later ones describe later recording). An audit of later
    records only never applies, and a revision of the same inspection supersedes it. Where `as_of`
    is given, only what was published by then counts: a report cites what its authors could read.
    Of the judgements that apply, the latest whose audit covered records of the period is taken;
    failing that, the first published after the period began, the nearest in time to the data.
    Undated rows never apply.
    """
    end = period_end or period_start
    candidates = recording_judgements_within(force_id, period_start, end, as_of=as_of, rows=rows)
    if not candidates:
        return None
    direct = [r for r in candidates if r.audited_within(period_start, end)]
    if direct:
        return max(direct, key=lambda r: (r.published_on or dt.date.min, r.inspection))
    return min(candidates, key=lambda r: (r.published_on or dt.date.max, r.inspection))


def forces_covered() -> list[str]:
    """The forces the file holds at least one row for."""
    return sorted({r.force_id for r in load_recording_grades()})


def recording_json(row: RecordingJudgement) -> dict[str, object]:
    """One judgement as JSON, with what it found (`RecordingJudgement.found`)."""
    data: dict[str, object] = row.model_dump(mode="json")
    data["found"] = row.found
    return data


def recording_table(rows: Iterable[RecordingJudgement]) -> str:
    """Judgements as a plain-text table (force, inspection, audited months, grade, share, found,
    published, source kind, source)."""
    header = (
        "force",
        "inspection",
        "records audited",
        "grade",
        "unrecorded",
        "found",
        "published",
        "kind",
        "source",
    )
    body = [
        (
            r.force_id,
            r.inspection,
            f"{r.period_from.isoformat()} to {r.period_to.isoformat()}"
            if r.period_from and r.period_to
            else "",
            r.grade or "",
            f"{r.unrecorded_pct:g}%" if r.unrecorded_pct is not None else "",
            r.found or "",
            r.published or "",
            r.source_kind,
            r.source_url,
        )
        for r in rows
    ]
    return "\n".join(text_table_lines(header, body)) + "\n"
