"""Failed sign-ins, counted in the store so every server process sees the same counts.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("throttle_key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("throttle_key"),
    )
    op.create_index("web_login_failures_by_time", "web_login_failures", ["last_failure"])
