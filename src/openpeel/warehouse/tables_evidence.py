"""Warehouse tables for evidence store, judgements and audit trail.

Every write to `ev_inspections`, `ev_findings` and `as_judgements` goes through
`openpeel.assessment.audit.apply_change`, which appends one `as_audit_events` row in the same
transaction; replaying those events rebuilds the three tables exactly.
"""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table, column

_FORCE = column("force_id", "VARCHAR", "Force (ref_areas.area_id)", nullable=False)
_YEAR = column("year", "INTEGER", "PEEL year", nullable=False)

EVIDENCE_TABLES: tuple[Table, ...] = (
    Table(
        name="ev_inspections",
        description="Inspections whose findings are evidence for a force and PEEL year (imported from evidence files).",
        columns=(
            _FORCE,
            _YEAR,
            column("inspection_id", "VARCHAR", "Id within the force and year's evidence", nullable=False),
            column("position", "INTEGER", "Order in the evidence file", nullable=False),
            column("kind", "VARCHAR", "Inspection kind from the year's framework", nullable=False),
            column("title", "VARCHAR", "Title as reports name it", nullable=False),
            column("fieldwork_start", "DATE", "First day of fieldwork"),
            column("fieldwork_end", "DATE", "Last day of fieldwork"),
            column("published", "DATE", "Publication date of the inspection report"),
            column("summary", "VARCHAR", "One-paragraph account used in 'Further insights'"),
            column("source", "VARCHAR", "Report title and address the findings come from", nullable=False),
        ),
        primary_key=("force_id", "year", "inspection_id"),
    ),
    Table(
        name="ev_findings",
        description="Inspection findings (strength, area for improvement, cause of concern, observation), each tied to a question.",
        columns=(
            _FORCE,
            _YEAR,
            column("finding_id", "VARCHAR", "Id within the force and year's evidence", nullable=False),
            column("position", "INTEGER", "Order in the evidence file", nullable=False),
            column("inspection_id", "VARCHAR", "Inspection (ev_inspections.inspection_id)", nullable=False),
            column(
                "question_id", "VARCHAR", "Framework question the finding is evidence for", nullable=False
            ),
            column(
                "kind",
                "VARCHAR",
                "strength, area-for-improvement, cause-of-concern or observation",
                nullable=False,
            ),
            column("text", "VARCHAR", "What the inspectors found, in words", nullable=False),
            column("topics", "VARCHAR[]", "Topics from the framework's vocabulary", nullable=False),
            column("indicators", "VARCHAR[]", "Indicators the finding concerns", nullable=False),
            column("explains", "VARCHAR[]", "Indicators whose poor value it accounts for", nullable=False),
            column("source_ref", "VARCHAR", "Place in the source report (page, paragraph)"),
            column("is_exceptional", "BOOLEAN", "A strength marked exceptional", nullable=False),
            column("is_resolved", "BOOLEAN", "A cause of concern since resolved", nullable=False),
            column("in_overview", "BOOLEAN", "Also quoted in the report's overview", nullable=False),
        ),
        primary_key=("force_id", "year", "finding_id"),
    ),
    Table(
        name="as_judgements",
        description="One judgement per force, PEEL year and framework question: proposed and current grade, state and override rationale.",
        columns=(
            _FORCE,
            _YEAR,
            column("question_id", "VARCHAR", "Framework question", nullable=False),
            column("pillar_id", "VARCHAR", "Pillar of the question", nullable=False),
            column(
                "is_graded",
                "BOOLEAN",
                "The framework grades this question (else narrative only)",
                nullable=False,
            ),
            column(
                "is_inspected",
                "BOOLEAN",
                "An inspection of one of the question's kinds is in the evidence",
                nullable=False,
            ),
            column("state", "VARCHAR", "draft, moderated or published", nullable=False),
            column("proposed_grade", "VARCHAR", "Grade proposed by the rubric (null: no findings)"),
            column("current_grade", "VARCHAR", "Grade confirmed or set by an inspector (null: not yet)"),
            column(
                "is_overridden",
                "BOOLEAN",
                "The current grade was set by an override, not a confirmation",
                nullable=False,
            ),
            column("rationale", "VARCHAR", "Why the inspector overrode the proposal"),
            column("rubric_id", "VARCHAR", "Rubric that made the proposal"),
            column("proposal_json", "VARCHAR", "The proposal with every rule's result, as JSON"),
            column("updated_by", "VARCHAR", "Who made the last change", nullable=False),
            column("updated_at", "TIMESTAMP", "When (UTC)", nullable=False),
        ),
        primary_key=("force_id", "year", "question_id"),
    ),
    Table(
        name="as_audit_events",
        description="Append-only audit trail: every change to inspections, findings and judgements, with who, when, before, after and why. Each event's hash covers the previous one.",
        columns=(
            column("event_id", "BIGINT", "Order of the event, from 1", nullable=False),
            column("recorded_at", "TIMESTAMP", "When (UTC)", nullable=False),
            column("actor", "VARCHAR", "Who made the change", nullable=False),
            column(
                "action",
                "VARCHAR",
                "What was done, e.g. import, propose, confirm, override, publish",
                nullable=False,
            ),
            column("entity", "VARCHAR", "inspection, finding or judgement", nullable=False),
            _FORCE,
            _YEAR,
            column("entity_id", "VARCHAR", "Inspection, finding or question id", nullable=False),
            column("before_json", "VARCHAR", "The row before the change, as JSON (null: created)"),
            column("after_json", "VARCHAR", "The row after the change, as JSON (null: removed)"),
            column(
                "reason", "VARCHAR", "Why; required for overrides and for changes to published judgements"
            ),
            column("prev_hash", "VARCHAR", "Hash of the previous event", nullable=False),
            column("hash", "VARCHAR", "SHA-256 of prev_hash and this event's content", nullable=False),
        ),
        primary_key=("event_id",),
    ),
)
