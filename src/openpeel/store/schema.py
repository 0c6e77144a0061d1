"""The SQLAlchemy tables of the workspace, generated from the registry in openpeel.store.tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openpeel.core.registry import Column, Table
from openpeel.store.tables import WORKSPACE_TABLES

# Registry types (DuckDB's names, shared with the warehouse) to portable SQLAlchemy types.
# Lists become JSON: SQLite and PostgreSQL both store and return them as lists.
SA_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "VARCHAR": sa.Text(),
    "INTEGER": sa.Integer(),
    "BIGINT": sa.BigInteger(),
    "DOUBLE": sa.Double(),
    "BOOLEAN": sa.Boolean(),
    "DATE": sa.Date(),
    "TIMESTAMP": sa.DateTime(),
    "VARCHAR[]": sa.JSON(),
}

metadata = sa.MetaData()


def _column(col: Column) -> sa.Column[Any]:
    return sa.Column(col.name, SA_TYPES[col.type], nullable=col.nullable, comment=col.description)


def _table(spec: Table) -> sa.Table:
    parts: list[sa.schema.SchemaItem] = [_column(c) for c in spec.columns]
    if spec.primary_key:
        parts.append(sa.PrimaryKeyConstraint(*spec.primary_key, name=f"pk_{spec.name}"))
    by_name = {t.name: t for t in WORKSPACE_TABLES}
    for columns, target in spec.foreign_keys:
        refs = [f"{target}.{c}" for c in by_name[target].primary_key]
        parts.append(sa.ForeignKeyConstraint(list(columns), refs, name=f"fk_{spec.name}_{target}"))
    return sa.Table(spec.name, metadata, *parts, comment=spec.description)


TABLES: dict[str, sa.Table] = {spec.name: _table(spec) for spec in WORKSPACE_TABLES}


def sa_table(name: str) -> sa.Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no workspace table {name!r}") from None
