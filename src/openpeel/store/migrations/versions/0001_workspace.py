"""The workspace store: inspections, findings, judgements, the audit trail, users and sessions.

Revision ID: 0001
Revises:
Created: 2026-12-01

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
The audit trail is append-only by the database"s own rules: triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER as_audit_events_no_update BEFORE UPDATE ON as_audit_events "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER as_audit_events_no_delete BEFORE DELETE ON as_audit_events "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)
POSTGRESQL_APPEND_ONLY = (
    "CREATE FUNCTION openpeel_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
    "CREATE TRIGGER as_audit_events_append_only BEFORE UPDATE OR DELETE ON as_audit_events "
    "FOR EACH ROW EXECUTE FUNCTION openpeel_audit_append_only()",
    "CREATE TRIGGER as_audit_events_no_truncate BEFORE TRUNCATE ON as_audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION openpeel_audit_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "ev_inspections",
        sa.Column("force_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("fieldwork_start", sa.Date(), nullable=True),
        sa.Column("fieldwork_end", sa.Date(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("force_id", "year", "inspection_id", name="pk_ev_inspections"),
    )
    op.create_table(
        "ev_findings",
        sa.Column("force_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Text(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("explains", sa.JSON(), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("is_exceptional", sa.Boolean(), nullable=False),
        sa.Column("is_resolved", sa.Boolean(), nullable=False),
        sa.Column("in_overview", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("force_id", "year", "finding_id", name="pk_ev_findings"),
        sa.ForeignKeyConstraint(
            ["force_id", "year", "inspection_id"],
            ["ev_inspections.force_id", "ev_inspections.year", "ev_inspections.inspection_id"],
            name="fk_ev_findings_ev_inspections",
        ),
    )
    op.create_table(
        "as_judgements",
        sa.Column("force_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Text(), nullable=False),
        sa.Column("pillar_id", sa.Text(), nullable=False),
        sa.Column("is_graded", sa.Boolean(), nullable=False),
        sa.Column("is_inspected", sa.Boolean(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("proposed_grade", sa.Text(), nullable=True),
        sa.Column("current_grade", sa.Text(), nullable=True),
        sa.Column("is_overridden", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("rubric_id", sa.Text(), nullable=True),
        sa.Column("proposal_json", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("force_id", "year", "question_id", name="pk_as_judgements"),
    )
    op.create_table(
        "as_audit_events",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("force_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_as_audit_events"),
    )
    op.create_table(
        "web_users",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_web_users"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_sha256", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["username"], ["web_users.username"], name="fk_web_sessions_web_users"),
    )
    op.create_index("ix_as_audit_events_force_year", "as_audit_events", ["force_id", "year"])
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_APPEND_ONLY if dialect == "sqlite" else POSTGRESQL_APPEND_ONLY:
        op.execute(statement)
