"""The workspace store: inspections, findings, judgements, the audit trail, users and sessions.

A transactional database behind SQLAlchemy Core with Alembic migrations: SQLite in the home
folder by default (nothing to start), PostgreSQL for a team (`--store URL` / $OPENPEEL_STORE).
The CLI and the web app write to it side by side.
"""

from openpeel.store.engine import Store, StoreConnection, transaction
from openpeel.store.opening import open_store
from openpeel.store.schema import metadata, sa_table

__all__ = [
    "Store",
    "StoreConnection",
    "metadata",
    "open_store",
    "sa_table",
    "transaction",
]
