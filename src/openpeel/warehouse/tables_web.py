"""Warehouse tables for web users and sessions."""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table, column

WEB_TABLES: tuple[Table, ...] = (
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
    ),
)
