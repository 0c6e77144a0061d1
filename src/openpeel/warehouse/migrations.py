"""Numbered schema migrations, each recorded in meta_migrations when applied.

A migration never changes after it has shipped; a schema change is a new migration. The test
suite checks that applying every migration yields exactly the tables of the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from openpeel.warehouse.tables import table
from openpeel.warehouse.tables_evidence import EVIDENCE_TABLES
from openpeel.warehouse.tables_indicators import INDICATOR_TABLES
from openpeel.warehouse.tables_police_uk import POLICE_UK_TABLES
from openpeel.warehouse.tables_web import WEB_TABLES


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _create(*names: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def run(con: duckdb.DuckDBPyConnection) -> None:
        for name in names:
            con.execute(table(name).ddl())

    return run


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "official statistics, reference areas and indicator values",
        _create(
            "meta_source_files",
            "ref_areas",
            "ref_offence_groups",
            "core_recorded_crime",
            "core_asb_incidents",
            "core_population",
            "ind_values",
        ),
    ),
    Migration(
        2,
        "data.police.uk street, outcomes, stop and search, coverage and quarantine",
        _create(*(t.name for t in POLICE_UK_TABLES)),
    ),
    Migration(
        3,
        "imported measures, peer groups, workforce and indicator extensions",
        _create(*(t.name for t in INDICATOR_TABLES)),
    ),
    Migration(
        4,
        "evidence store, judgements and audit trail",
        _create(*(t.name for t in EVIDENCE_TABLES)),
    ),
    Migration(
        5,
        "web users and sessions",
        _create(*(t.name for t in WEB_TABLES)),
    ),
)


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(table("meta_migrations").ddl())
    return {int(row[0]) for row in con.execute("SELECT version FROM meta_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded; return the versions applied now."""
    done = applied_versions(con)
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            migration.apply(con)
            con.execute(
                "INSERT INTO meta_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [migration.version, migration.name],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        applied.append(migration.version)
    return applied
