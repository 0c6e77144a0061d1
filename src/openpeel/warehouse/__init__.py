"""The analytical warehouse: one DuckDB file, its table registry and numbered migrations."""

from openpeel.warehouse.connection import (
    WarehouseReader,
    connect,
    open_reader,
    transaction,
    writing,
)
from openpeel.warehouse.tables import TABLES, Column, Table, table

__all__ = [
    "TABLES",
    "Column",
    "Table",
    "WarehouseReader",
    "connect",
    "open_reader",
    "table",
    "transaction",
    "writing",
]
