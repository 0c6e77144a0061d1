"""Open downloads: a year's indicators, judgements, findings and published grades as CSV and Parquet.

Each download's columns are declared once below; the files, their DDL and the downloads' data
dictionary are all generated from these declarations. DuckDB writes both formats (COPY ... TO),
so no extra dependency is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from openpeel.assessment.judgements import Judgement
from openpeel.core.csv_cells import guard_cell
from openpeel.evidence import EvidenceFile
from openpeel.evidence.followed import follow_findings
from openpeel.forces import EW_ID, get_force, territorial_forces
from openpeel.framework import Framework
from openpeel.framework.published_grades import PublishedGrade, load_published_grades
from openpeel.indicators.query import IndicatorValue
from openpeel.publish.cycle import Cycle

ExportFormat = Literal["csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "parquet")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Download:
    name: str
    description: str
    fields: tuple[Field, ...]


INDICATORS = Download(
    "indicators",
    "Every indicator of the PEEL year's data periods, for each of the 43 forces and England and Wales.",
    (
        Field("year", "INTEGER", "PEEL year"),
        Field("indicator_id", "VARCHAR", "Indicator id (openpeel indicators --list)"),
        Field("indicator_title", "VARCHAR", "Indicator title"),
        Field("unit", "VARCHAR", "Unit of value, ew_value, ci_low and ci_high"),
        Field("area_id", "VARCHAR", "Force id (data.police.uk's), or england-and-wales"),
        Field("area_name", "VARCHAR", "Force name"),
        Field("period_end", "DATE", "Last day of the 12-month period measured"),
        Field("base_period_end", "DATE", "For changes: last day of the period compared against"),
        Field("numerator", "DOUBLE", "Count the value is computed from"),
        Field("denominator", "DOUBLE", "Population (rates) or base-period count (changes)"),
        Field("value", "DOUBLE", "The indicator's value"),
        Field("ci_low", "DOUBLE", "Lower end of the 95% interval"),
        Field("ci_high", "DOUBLE", "Upper end of the 95% interval"),
        Field("ew_value", "DOUBLE", "England and Wales value (43 forces combined)"),
        Field("z_score", "DOUBLE", "Difference from England and Wales over its standard error (log scale)"),
        Field(
            "is_significant",
            "BOOLEAN",
            "Significantly different from England and Wales: beyond chance and the ordinary spread between forces (the adjusted test)",
        ),
        Field("is_material", "BOOLEAN", "Difference beyond the indicator's materiality threshold"),
        Field("band", "VARCHAR", "Wording band: higher, lower or similar"),
        Field(
            "rank",
            "INTEGER",
            "Rank among forces, 1 = best (1 = lowest where recording drives the count); empty for a force the indicator does not rank",
        ),
        Field("rank_of", "INTEGER", "Number of forces ranked"),
        Field("source_ids", "VARCHAR", "Source files behind the value, comma-separated"),
    ),
)
JUDGEMENTS = Download(
    "judgements",
    "openpeel's grade for each force and graded question: the published judgement's current grade, "
    "who set it and when, beside the rubric's proposal and the rules that fired, and the grade the "
    "inspectorate published where the published-grades table holds one.",
    (
        Field("year", "INTEGER", "PEEL year"),
        Field("force_id", "VARCHAR", "Force id"),
        Field("force_name", "VARCHAR", "Force name"),
        Field("question_id", "VARCHAR", "Framework question id"),
        Field("question", "VARCHAR", "The question as worded that year"),
        Field(
            "grade_id",
            "VARCHAR",
            "openpeel's grade id: the judgement's current grade where one is published, else the "
            "rubric's proposal; empty when not graded",
        ),
        Field("grade", "VARCHAR", "That grade's label, or 'Not graded'"),
        Field(
            "state",
            "VARCHAR",
            "State of the judgement (public downloads hold only 'published'); empty: no judgement published, the grade is the rubric's proposal",
        ),
        Field("current_grade_id", "VARCHAR", "Grade an inspector confirmed or set; empty when none"),
        Field("proposed_grade_id", "VARCHAR", "Grade the rubric proposes; empty when none"),
        Field("is_overridden", "BOOLEAN", "The current grade was set by an override of the proposal"),
        Field("rationale", "VARCHAR", "The inspector's reason for the override"),
        Field("set_by", "VARCHAR", "Who confirmed or set the current grade (from the audit trail)"),
        Field("set_at", "TIMESTAMP", "When (UTC)"),
        Field("moderated_by", "VARCHAR", "Who moderated it (from the audit trail)"),
        Field("published_by", "VARCHAR", "Who published it (from the audit trail)"),
        Field("published_at", "TIMESTAMP", "When (UTC)"),
        Field(
            "has_findings",
            "BOOLEAN",
            "Inspection findings are loaded for this force, year and question, whether or not a judgement is published",
        ),
        Field("has_published_judgement", "BOOLEAN", "openpeel's judgement of this question is published"),
        Field(
            "next_step",
            "VARCHAR",
            "Where findings are loaded and the judgement is not published: what has to happen next "
            "(confirm, moderate, publish); empty otherwise",
        ),
        Field("rubric", "VARCHAR", "Rubric that proposed the grade"),
        Field("rules_fired", "VARCHAR", "Rule ids that fired, separated by '; '"),
        Field("flags", "VARCHAR", "Data-led flags (indicator:direction), separated by '; '"),
        Field(
            "published_grade_id",
            "VARCHAR",
            "The grade the inspectorate published for the question (see published-grades); empty when none",
        ),
        Field(
            "agrees_with_published",
            "BOOLEAN",
            "The proposed grade is the published one; empty unless both exist",
        ),
    ),
)
FINDINGS = Download(
    "findings",
    "Every inspection finding loaded for the year, with its question, kind and source.",
    (
        Field("year", "INTEGER", "PEEL year"),
        Field("force_id", "VARCHAR", "Force id"),
        Field("finding_id", "VARCHAR", "Finding id within the evidence file"),
        Field("question_id", "VARCHAR", "Framework question the finding bears on"),
        Field(
            "kind",
            "VARCHAR",
            "strength, area-for-improvement, cause-of-concern, observation, innovative-practice or promising-practice",
        ),
        Field("text", "VARCHAR", "The finding as written by the inspector (plain text)"),
        Field("topics", "VARCHAR", "Topics, separated by '; '"),
        Field("is_exceptional", "BOOLEAN", "Marked exceptional"),
        Field("is_resolved", "BOOLEAN", "Marked resolved"),
        Field("inspection_id", "VARCHAR", "Inspection id within the evidence file"),
        Field("inspection_title", "VARCHAR", "Inspection title"),
        Field("source", "VARCHAR", "Where the finding comes from: report title and address"),
    ),
)
PUBLISHED_GRADES = Download(
    "published-grades",
    "The grades the inspectorate published for the cycle, per force and pillar or question, each with the "
    "page that states it: reference data shipped with openpeel (framework/published/), never a rubric "
    "proposal. A force or question without a row has no grade the table could source.",
    (
        Field("year", "INTEGER", "PEEL cycle, by its first year (2018 for PEEL 2018/19)"),
        Field("cycle", "VARCHAR", "The cycle as the inspectorate writes it, e.g. 'PEEL 2018/19'"),
        Field("force_id", "VARCHAR", "Force id (data.police.uk's)"),
        Field("force_name", "VARCHAR", "Force name"),
        Field("pillar_id", "VARCHAR", "Pillar of the framework file graded as a whole; empty for a question"),
        Field("question_id", "VARCHAR", "Graded question of the framework file; empty for a pillar"),
        Field("graded", "VARCHAR", "The pillar's title or the question as worded that cycle"),
        Field("grade_id", "VARCHAR", "Grade id of the cycle's scale"),
        Field("grade", "VARCHAR", "Grade label, e.g. 'Requires improvement'"),
        Field("published", "DATE", "Date the page states for the judgment; empty where it states none"),
        Field(
            "source_url",
            "VARCHAR",
            "The page stating the grade: the inspectorate's, or another where its stored page lacks it",
        ),
        Field(
            "source_kind",
            "VARCHAR",
            "Who published that page: inspectorate, commissioner (the police and crime commissioner's office), "
            "force or press",
        ),
        Field("note", "VARCHAR", "Other pages that agree, gaps in the stored copies, conflicts"),
    ),
)
FINDINGS_FOLLOWED = Download(
    "findings-followed",
    "Every area for improvement and cause of concern of the year, and whether a comparable finding "
    "recurs in the next cycle: on a question the crosswalk links as comparable or partly comparable, "
    "sharing a topic (docs/methodology.md, 'Findings across cycles'). Drawn from the same evidence as "
    "the findings table, in both cycles.",
    (
        Field("year", "INTEGER", "PEEL year of the finding"),
        Field("force_id", "VARCHAR", "Force id"),
        Field("finding_id", "VARCHAR", "Finding id within the evidence file"),
        Field("question_id", "VARCHAR", "Framework question the finding bears on"),
        Field("kind", "VARCHAR", "area-for-improvement or cause-of-concern"),
        Field("text", "VARCHAR", "The finding as written (plain text)"),
        Field("topics", "VARCHAR", "Topics, separated by '; '"),
        Field("next_year", "INTEGER", "The next cycle the crosswalk leads to; empty when none"),
        Field("next_questions", "VARCHAR", "Its questions comparable with the finding's, separated by '; '"),
        Field(
            "followed",
            "VARCHAR",
            "recurs, not-repeated, or why it is not known: gap, no-evidence, no-comparable-question, "
            "no-topics, last-cycle",
        ),
        Field("recurs", "BOOLEAN", "A comparable finding recurs; empty where it is not known"),
        Field("next_finding_ids", "VARCHAR", "The next cycle's comparable findings, separated by '; '"),
    ),
)
DOWNLOADS = (INDICATORS, JUDGEMENTS, FINDINGS, FINDINGS_FOLLOWED, PUBLISHED_GRADES)


def _indicator_rows(year: int, values: Iterable[IndicatorValue]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for v in values:
        name = "England and Wales" if v.area_id == EW_ID else get_force(v.area_id).name
        rows.append(
            (
                year, v.indicator.id, v.indicator.title, v.indicator.unit, v.area_id, name, v.period_end,
                v.base_period_end, v.numerator, v.denominator, v.value, v.ci_low, v.ci_high, v.ew_value,
                v.z_score, v.is_significant, v.is_material, v.band, v.rank, v.rank_of, ",".join(v.source_ids),
            )
        )  # fmt: skip
    return rows


def _standing(judgement: Judgement | None, proposed: str | None) -> tuple[object, ...]:
    """The columns state to published_at (empty but the proposal without a judgement)."""
    if judgement is None:
        return ("", "", proposed or "", None, None, None, None, None, None, None)
    credit = judgement.attribution
    set_step = credit.set if credit else None
    moderated = credit.moderated if credit else None
    published = credit.published if credit else None
    return (
        judgement.state, judgement.current_grade or "", proposed or "", judgement.is_overridden,
        judgement.rationale if judgement.is_overridden else None,
        set_step.by if set_step else None, set_step.at if set_step else None,
        moderated.by if moderated else None,
        published.by if published else None, published.at if published else None,
    )  # fmt: skip


def _judgement_rows(cycle: Cycle) -> list[tuple[object, ...]]:
    framework, evidence, judgements = cycle.framework, cycle.evidence, cycle.judgements
    rows: list[tuple[object, ...]] = []
    published = {(r.force_id, r.target): r.grade for r in load_published_grades(framework.year)}
    for force in territorial_forces():
        found = evidence.get(force.force_id)
        proposals = cycle.proposals(force.force_id)
        progress = cycle.progress_for(force.force_id)
        for question in framework.questions():
            p = proposals.get(question.id)
            if p is None:
                continue
            loaded = progress.findings.get(question.id, 0) > 0
            is_published = progress.states.get(question.id) == "published"
            judgement = judgements.get(force.force_id, {}).get(question.id) if found is not None else None
            grade = (judgement.current_grade if judgement else None) or p.grade
            grade_published = published.get((force.force_id, question.id))
            rows.append(
                (
                    framework.year, force.force_id, force.name, question.id, question.text, grade or "",
                    framework.grade(grade).label if grade else "Not graded",
                    *_standing(judgement, p.grade),
                    loaded, is_published, progress.next_step() if loaded and not is_published else None,
                    p.rubric_id, "; ".join(r.rule_id for r in p.fired), "; ".join(p.flags),
                    grade_published or "",
                    (grade == grade_published) if grade and grade_published else None,
                )
            )  # fmt: skip
    return rows


def published_grade_rows(framework: Framework, rows: Iterable[PublishedGrade]) -> list[tuple[object, ...]]:
    """The published-grades download's rows (also served by the API)."""
    out: list[tuple[object, ...]] = []
    for r in rows:
        graded = framework.pillar(r.pillar_id).title if r.pillar_id else framework.question(r.target).text
        out.append(
            (
                r.year, framework.title, r.force_id, get_force(r.force_id).name, r.pillar_id, r.question_id,
                graded, r.grade, framework.grade(r.grade).label, r.published, r.source_url, r.source_kind, r.note,
            )
        )  # fmt: skip
    return out


def _finding_rows(year: int, evidence: Mapping[str, EvidenceFile]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for force_id, ev in sorted(evidence.items()):
        for f in ev.findings:
            inspection = ev.inspection(f.inspection)
            rows.append(
                (
                    year, force_id, f.id, f.question, f.kind, f.text.strip(), "; ".join(f.topics),
                    f.is_exceptional, f.is_resolved, inspection.id, inspection.title, inspection.source,
                )
            )  # fmt: skip
    return rows


def _followed_rows(
    year: int, evidence: Mapping[str, EvidenceFile], following: Mapping[str, EvidenceFile]
) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for force_id, ev in sorted(evidence.items()):
        by_year = {year: ev}
        later = following.get(force_id)
        if later is not None:
            by_year[later.year] = later
        for item in (i for i in follow_findings(force_id, by_year) if i.year == year):
            f = item.finding
            rows.append(
                (
                    year, force_id, f.id, f.question, f.kind, f.text.strip(), "; ".join(f.topics),
                    item.next_year, "; ".join(item.next_questions), item.status, item.recurs,
                    "; ".join(m.id for m in item.matches),
                )
            )  # fmt: skip
    return rows


def _guarded(download: Download, rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The rows for CSV: text a spreadsheet could run as a formula is guarded (Parquet is typed)."""
    text = [f.type == "VARCHAR" for f in download.fields]
    return [
        tuple(guard_cell(v) if is_text else v for v, is_text in zip(row, text, strict=True)) for row in rows
    ]


def _write(
    download: Download, rows: Sequence[tuple[object, ...]], out_dir: Path, formats: Iterable[ExportFormat]
) -> list[Path]:
    con = duckdb.connect(":memory:")
    try:
        columns = ", ".join(f'"{f.name}" {f.type}' for f in download.fields)
        written = []
        for fmt in formats:
            con.execute(f"CREATE OR REPLACE TABLE t ({columns})")
            if rows:
                # One statement, a list per column: a row-by-row executemany took a second per
                # thousand rows. DuckDB keeps the rows in the order given.
                chosen = _guarded(download, rows) if fmt == "csv" else rows
                columns_of = [list(c) for c in zip(*chosen, strict=True)]
                unnest = ", ".join(f"unnest(${i + 1}::{f.type}[])" for i, f in enumerate(download.fields))
                con.execute(f"INSERT INTO t SELECT {unnest}", columns_of)
            path = out_dir / f"{download.name}.{fmt}"
            options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
            # The path is ours (out_dir / fixed name); quotes are doubled so any folder name works.
            con.execute(f"COPY (SELECT * FROM t) TO '{str(path).replace(chr(39), chr(39) * 2)}' ({options})")
            written.append(path)
        return written
    finally:
        con.close()


def export_year(
    cycle: Cycle,
    out_dir: Path,
    formats: Iterable[ExportFormat] = EXPORT_FORMATS,
    *,
    following: Mapping[str, EvidenceFile] | None = None,
) -> list[Path]:
    """Write indicators, judgements, findings, findings followed and published grades of one PEEL
    cycle into `out_dir`; returns the files. The cycle's evidence and judgements are the ones to
    show: for a public download, only the published ones; `following` is the next cycle's
    evidence by force, shown on the same terms (none given: the next cycle has no evidence)."""
    fmts = list(formats)
    for fmt in fmts:
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    framework = cycle.framework
    written = _write(INDICATORS, _indicator_rows(framework.year, cycle.values), out_dir, fmts)
    written += _write(JUDGEMENTS, _judgement_rows(cycle), out_dir, fmts)
    written += _write(FINDINGS, _finding_rows(framework.year, cycle.evidence), out_dir, fmts)
    followed = _followed_rows(framework.year, cycle.evidence, following or {})
    written += _write(FINDINGS_FOLLOWED, followed, out_dir, fmts)
    grades = published_grade_rows(framework, load_published_grades(framework.year))
    written += _write(PUBLISHED_GRADES, grades, out_dir, fmts)
    return written


def downloads_dictionary_markdown() -> str:
    """The downloads' data dictionary, generated from the declarations above."""
    lines = [
        "# Downloads: data dictionary",
        "",
        f"Each PEEL year's downloads hold {len(DOWNLOADS)} tables, each as CSV (UTF-8, header row) and Parquet.",
        "Empty cells are missing values. Numbers are unrounded.",
        "",
    ]
    for d in DOWNLOADS:
        lines += [f"## `{d.name}`", "", d.description, "", "| column | type | description |", "|---|---|---|"]
        lines += [f"| `{f.name}` | {f.type} | {f.description} |" for f in d.fields]
        lines.append("")
    return "\n".join(lines)
