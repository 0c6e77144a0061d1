"""The workspace store: inspections, findings, judgements, the audit trail, users and sessions.

A transactional database behind SQLAlchemy Core with Alembic migrations: SQLite in the home
folder by default (nothing to start), PostgreSQL for a team (`--store URL` / $OPENPEEL_STORE).
The CLI and the web app write to it side by side.
"""

from openpeel.store.engine import Store, StoreConnection, open_store, resolve_store_url, transaction
from openpeel.store.schema import metadata, sa_table

__all__ = [
    "Store",
    "StoreConnection",
    "metadata",
    "open_store",
    "resolve_store_url",
    "sa_table",
    "transaction",
]
