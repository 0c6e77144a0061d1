"""Opening the workspace store: the one way in, from a command's locations or a URL.

It lives apart from the engine so that the engine and the migrations each import only downwards:
opening a store brings it to the latest migration, which needs both.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from openpeel.core.errors import OpenpeelError
from openpeel.core.locations import Locations
from openpeel.store.engine import Store
from openpeel.store.migrate import upgrade_to_head


def open_store(
    where: Locations | str,
    *,
    audit_key: str | None = None,
    head_log: Path | None = None,
    upgrade: bool = True,
) -> Store:
    """The workspace store the locations name (its URL, audit key and head log), or the store
    at a URL with `audit_key` and `head_log` (none: no head log is written); brought up to the
    latest migration unless `upgrade` is False. Without a configured key, an SQLite store uses
    the key file named for it (openpeel.store.keys)."""
    if isinstance(where, Locations):
        store = Store(where.store_url, audit_key=where.audit_key, head_log=where.head_log)
    else:
        store = Store(where, audit_key=audit_key, head_log=head_log)
    if upgrade:
        try:
            with store.refusals():
                upgrade_to_head(store)
        except sa.exc.OperationalError as exc:
            raise OpenpeelError(f"cannot open the workspace store {store.describe()}: {exc.orig}") from None
    return store
