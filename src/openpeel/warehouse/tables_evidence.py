"""Warehouse tables for evidence store, judgements and audit trail."""

from __future__ import annotations

from openpeel.warehouse.tables_base import Table

EVIDENCE_TABLES: tuple[Table, ...] = ()
