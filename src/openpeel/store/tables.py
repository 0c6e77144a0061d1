"""The workspace tables, declared once: inspections, findings, judgements, the audit trail,
publications, users and sessions.

Every write to `ev_inspections`, `ev_findings` and `as_judgements` goes through
`openpeel.store.audit.apply_change`, which appends one `as_audit_events` row in the same
transaction; replaying those events rebuilds the three tables exactly. The SQLAlchemy tables
(`openpeel.store.schema`) and the data dictionary are generated from this registry; the shipped
Alembic migrations spell their DDL out and never change (a test compares the two).
"""

from __future__ import annotations

from openpeel.core.registry import Table, column

_FORCE = column("force_id", "VARCHAR", "Force (ref_areas.area_id)", nullable=False)
_YEAR = column("year", "INTEGER", "PEEL year", nullable=False)
_VERSION = column(
    "version",
    "INTEGER",
    "Edit version, from 1; an edit names the version it started from, so a stale edit is refused",
    nullable=False,
)

WORKSPACE_TABLES: tuple[Table, ...] = (
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
            _VERSION,
        ),
        primary_key=("force_id", "year", "inspection_id"),
    ),
    Table(
        name="ev_findings",
        description="Inspection findings (strength, area for improvement, cause of concern, observation, innovative or promising practice), each tied to a question.",
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
                "strength, area-for-improvement, cause-of-concern, observation, innovative-practice or promising-practice",
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
            _VERSION,
            column(
                "fact",
                "VARCHAR",
                "A comparative fact the inspection stated about the force, attributed to it in reports",
            ),
        ),
        primary_key=("force_id", "year", "finding_id"),
        foreign_keys=((("force_id", "year", "inspection_id"), "ev_inspections"),),
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
            _VERSION,
        ),
        primary_key=("force_id", "year", "question_id"),
    ),
    Table(
        name="as_audit_events",
        description="Append-only audit trail: every change to inspections, findings, judgements and workspace users, every publication and every rotation of the audit key, with who, when, before, after and why. Each event's hash (keyed with the audit key) covers the previous one.",
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
            column(
                "entity",
                "VARCHAR",
                "inspection, finding, judgement, publication, user or audit-key",
                nullable=False,
            ),
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
    Table(
        name="pb_publications",
        description="Append-only: each `openpeel publish`, with who, when, the audit chain head at that moment and the SHA-256 of every file written.",
        columns=(
            column("publication_id", "INTEGER", "Order of the publication, from 1", nullable=False),
            column("published_at", "TIMESTAMP", "When (UTC)", nullable=False),
            column("published_by", "VARCHAR", "Who published (openpeel publish --by)", nullable=False),
            column("years", "VARCHAR[]", "PEEL years published", nullable=False),
            column("note", "VARCHAR", "What changed, in words (openpeel publish --note)"),
            column("head_event_id", "BIGINT", "Last audit event when published (0: none)", nullable=False),
            column("head_hash", "VARCHAR", "That event's hash", nullable=False),
            column(
                "files_json",
                "VARCHAR",
                "Every report and download written: path to SHA-256, as JSON",
                nullable=False,
            ),
            column("mac", "VARCHAR", "HMAC-SHA256 of the row with the audit key", nullable=False),
        ),
        primary_key=("publication_id",),
    ),
    Table(
        name="pb_report_versions",
        description="Append-only: each published version of a force's report for a PEEL year; the public sees the latest, older ones stay retrievable.",
        columns=(
            _FORCE,
            _YEAR,
            column("version", "INTEGER", "Version of the report, from 1", nullable=False),
            column("publication_id", "INTEGER", "Publication that first wrote it", nullable=False),
            column("published_at", "TIMESTAMP", "When (UTC); the report's 'Last updated'", nullable=False),
            column("change_note", "VARCHAR", "Why it changed since the version before (null: first)"),
            column(
                "judgements_json",
                "VARCHAR",
                "The published judgements it shows: question id to the judgement's edit version, as JSON",
                nullable=False,
            ),
            column("files_json", "VARCHAR", "Format to SHA-256 of the content (pb_blobs)", nullable=False),
            column("mac", "VARCHAR", "HMAC-SHA256 of the row with the audit key", nullable=False),
        ),
        primary_key=("force_id", "year", "version"),
        foreign_keys=((("publication_id",), "pb_publications"),),
    ),
    Table(
        name="pb_blobs",
        description="Append-only: published file contents, addressed by their SHA-256, so a version stays retrievable byte for byte.",
        columns=(
            column("sha256", "VARCHAR", "SHA-256 of the file's bytes", nullable=False),
            column("encoding", "VARCHAR", "utf-8 (text files) or base64 (Parquet, PDF)", nullable=False),
            column("content", "VARCHAR", "The file, as text or base64", nullable=False),
        ),
        primary_key=("sha256",),
    ),
    Table(
        name="web_users",
        description="People who can sign in to the inspector workspace, with their role.",
        columns=(
            column("username", "VARCHAR", "Sign-in name", nullable=False),
            column("display_name", "VARCHAR", "Name shown in the audit trail", nullable=False),
            column(
                "role", "VARCHAR", "viewer, inspector, lead-inspector, moderator or admin", nullable=False
            ),
            column("password_hash", "VARCHAR", "argon2id hash of the password", nullable=False),
            column("created_at", "TIMESTAMP", "When the user was added (UTC)", nullable=False),
            column("is_active", "BOOLEAN", "False once the user is disabled", nullable=False),
            column("disabled_at", "TIMESTAMP", "When the user was disabled (UTC; null: active)"),
            column("disabled_by", "VARCHAR", "Who disabled the user (openpeel users disable --by)"),
        ),
        primary_key=("username",),
    ),
    Table(
        name="web_sessions",
        description="Signed-in sessions; only a hash of the session token is stored.",
        columns=(
            column("token_sha256", "VARCHAR", "SHA-256 of the session cookie value", nullable=False),
            column("username", "VARCHAR", "Who is signed in", nullable=False),
            column(
                "csrf_token", "VARCHAR", "Token every form post of this session must carry", nullable=False
            ),
            column("created_at", "TIMESTAMP", "When the session started (UTC)", nullable=False),
            column("expires_at", "TIMESTAMP", "When it stops being accepted (UTC)", nullable=False),
        ),
        primary_key=("token_sha256",),
        foreign_keys=((("username",), "web_users"),),
    ),
    Table(
        name="web_login_failures",
        description=(
            "Failed sign-ins per account and address, and per address, for the sign-in backoff; "
            "in the store so every server process counts the same tries. Rows are forgotten after "
            "a quiet window."
        ),
        columns=(
            column(
                "throttle_key",
                "VARCHAR",
                "What is counted: 'account:NAME' with 'address:IP', or 'address:IP' alone",
                nullable=False,
            ),
            column("failures", "INTEGER", "Failed sign-ins since the count last started", nullable=False),
            column(
                "last_failure", "DOUBLE", "When the last one was (seconds since 1970, UTC)", nullable=False
            ),
        ),
        primary_key=("throttle_key",),
    ),
)

_BY_NAME = {t.name: t for t in WORKSPACE_TABLES}


def workspace_table(name: str) -> Table:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no workspace table {name!r}") from None
