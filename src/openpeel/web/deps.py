"""What a request handler is given: typed FastAPI dependencies over the app's data.

`Db` is a cursor of the analytical warehouse, read-only (the snapshot current when the request
started); `Ws` a read connection to the workspace store. Handlers that change the workspace
open `request.app.state.store.write()` themselves, off the event loop, once their form is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import duckdb
import sqlalchemy as sa
from fastapi import Depends, Request

from openpeel.store import Store
from openpeel.warehouse import WarehouseReader


def warehouse_cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the warehouse snapshot for this request (thread-safe)."""
    reader: WarehouseReader = request.app.state.warehouse
    cursor = reader.current().cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def workspace_reader(request: Request) -> Iterator[sa.Connection]:
    store: Store = request.app.state.store
    with store.read() as ws:
        yield ws


def app_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


Db = Annotated[duckdb.DuckDBPyConnection, Depends(warehouse_cursor)]
Ws = Annotated[sa.Connection, Depends(workspace_reader)]
AppStore = Annotated[Store, Depends(app_store)]
