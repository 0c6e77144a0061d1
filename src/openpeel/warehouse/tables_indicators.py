"""Warehouse tables for indicator extensions (imported measures, peer groups, workforce, rank uncertainty)."""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table

INDICATOR_TABLES: tuple[Table, ...] = ()
