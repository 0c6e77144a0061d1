"""Users and key rotations join the audit trail: events are looked up by entity.

Revision ID: 0005
Revises: 0004
Created: 2026-12-01

From this revision on, every change to `web_users` and every rotation of the audit key is an audit
event (openpeel.store.user_audit, openpeel.store.rotation), found by entity and id: verify replays
a user's events, a key lookup finds the last rotation. Users already in the table are recorded as
they stand once the schema is here (openpeel.store.migrate), not by this script, which only
changes the schema.

Shipped migrations never change: the DDL is spelled out here, never built from the registry.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_as_audit_events_entity", "as_audit_events", ["entity", "entity_id"])
