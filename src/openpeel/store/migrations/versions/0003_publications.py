"""Publications: each `openpeel publish` recorded as an immutable, versioned snapshot.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
Like the audit trail, the three tables are append-only by the database's own rules: a published
report that could be rewritten in place would prove nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("pb_publications", "pb_report_versions", "pb_blobs")


def _sqlite_triggers(table: str) -> tuple[str, ...]:
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END",
    )


def _postgresql_triggers(table: str) -> tuple[str, ...]:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION openpeel_publication_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION openpeel_publication_append_only()",
    )


POSTGRESQL_FUNCTION = (
    "CREATE FUNCTION openpeel_publication_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'publications are append-only'; END $$"
)


def upgrade() -> None:
    op.create_table(
        "pb_publications",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column("years", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("head_event_id", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.Text(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("mac", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("publication_id", name="pk_pb_publications"),
    )
    op.create_table(
        "pb_report_versions",
        sa.Column("force_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("judgements_json", sa.Text(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("mac", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("force_id", "year", "version", name="pk_pb_report_versions"),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["pb_publications.publication_id"],
            name="fk_pb_report_versions_pb_publications",
        ),
    )
    op.create_table(
        "pb_blobs",
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("encoding", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_pb_blobs"),
    )
    dialect = op.get_bind().dialect.name
    if dialect != "sqlite":
        op.execute(POSTGRESQL_FUNCTION)
    for table in TABLES:
        for statement in _sqlite_triggers(table) if dialect == "sqlite" else _postgresql_triggers(table):
            op.execute(statement)
