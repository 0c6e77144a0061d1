"""The warehouse: one DuckDB file, its table registry and numbered migrations."""

from openpeel.warehouse.connection import connect, resolve_db_path, transaction
from openpeel.warehouse.tables import TABLES, Column, Table, table

__all__ = ["TABLES", "Column", "Table", "connect", "resolve_db_path", "table", "transaction"]
