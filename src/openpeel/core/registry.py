"""The models every table is declared with, in the warehouse (DuckDB) and in the workspace store."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Column(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: str
    description: str
    unit: str | None = None
    nullable: bool = True


class Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # (columns, referenced table): the referenced table's primary key, in order.
    foreign_keys: tuple[tuple[tuple[str, ...], str], ...] = ()
    # A view (over files outside the database) rather than a stored table: no DDL of its own, and
    # DuckDB reports every view column as nullable whatever the registry promises.
    is_view: bool = False

    def ddl(self) -> str:
        parts = [f"    {c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in self.columns]
        if self.primary_key:
            parts.append(f"    PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n" + ",\n".join(parts) + "\n)"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name!r}")


def column(
    name: str, type_: str, description: str, unit: str | None = None, *, nullable: bool = True
) -> Column:
    return Column(name=name, type=type_, description=description, unit=unit, nullable=nullable)
