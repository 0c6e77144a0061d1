"""Findings keep their facts: a comparative fact the inspection stated, attributed to it.

Revision ID: 0006
Revises: 0005
Created: 2026-12-07

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
Rows stored before this revision have no fact (NULL); audit events recorded before it carry no
`fact` in their snapshots, which the replay reads as none (store/audit.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ev_findings", sa.Column("fact", sa.Text(), nullable=True))
