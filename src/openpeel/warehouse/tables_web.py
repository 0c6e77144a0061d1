"""Warehouse tables for web users and sessions."""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table

WEB_TABLES: tuple[Table, ...] = ()
