"""Who disabled a workspace user, and when (`openpeel users disable`).

Revision ID: 0002
Revises: 0001
Created: 2026-12-01

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: nullable columns need no table rebuild.
    op.add_column("web_users", sa.Column("disabled_at", sa.DateTime(), nullable=True))
    op.add_column("web_users", sa.Column("disabled_by", sa.Text(), nullable=True))
