"""Warehouse tables for the data.police.uk street, outcome and stop-and-search files."""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table

POLICE_UK_TABLES: tuple[Table, ...] = ()
