"""Every warehouse table, declared once: name, layer, description and typed, documented columns.

The DDL, the data dictionary page and the schema check in the tests are all generated from this
registry. Table names say layer and source: `ref_` reference data, `core_` cleaned source
figures, `ind_` indicator values, `meta_` bookkeeping. The workspace tables (evidence,
judgements, audit, users) live in the store: openpeel.store.tables.
"""

from __future__ import annotations

from openpeel.core.registry import Column, Table, column
from openpeel.warehouse.tables_indicators import INDICATOR_TABLES
from openpeel.warehouse.tables_police_uk import POLICE_UK_TABLES

__all__ = ["TABLES", "Column", "Table", "table"]

_SOURCE = column(
    "source_id",
    "VARCHAR",
    "Source file the value was read from (meta_source_files.source_id)",
    nullable=False,
)
_SOURCE_REF = column(
    "source_ref", "VARCHAR", "Place in the source file: CSV line, or sheet, row and column", nullable=False
)

TABLES: tuple[Table, ...] = (
    Table(
        name="meta_migrations",
        description="Schema migrations applied to this database, in order.",
        columns=(
            column("version", "INTEGER", "Migration number", nullable=False),
            column("name", "VARCHAR", "What the migration does", nullable=False),
            column("applied_at", "TIMESTAMP", "When it was applied (UTC)", nullable=False),
        ),
        primary_key=("version",),
    ),
    Table(
        name="meta_source_files",
        description="Every source file read into the warehouse, with its checksum, so each figure can be traced to the exact bytes it came from.",
        columns=(
            column("source_id", "VARCHAR", "Stable id of the source (dataset and file name)", nullable=False),
            column("dataset", "VARCHAR", "Which dataset the file belongs to", nullable=False),
            column("publisher", "VARCHAR", "Who published it", nullable=False),
            column(
                "path",
                "VARCHAR",
                "The original file, relative to the data folder",
                nullable=False,
            ),
            column(
                "read_from",
                "VARCHAR",
                "'original' when the file itself was read, else the bundled table it was read from",
                nullable=False,
            ),
            column("sha256", "VARCHAR", "SHA-256 of the file's bytes", nullable=False),
            column("bytes", "BIGINT", "File size", "bytes", nullable=False),
            column("rows_loaded", "BIGINT", "Rows stored from this file", "rows", nullable=False),
            column("ingested_at", "TIMESTAMP", "When it was read (UTC)", nullable=False),
        ),
        primary_key=("source_id",),
    ),
    Table(
        name="ref_areas",
        description="Forces and non-force areas from the forces registry (openpeel/forces/forces.csv).",
        columns=(
            column(
                "area_id",
                "VARCHAR",
                "data.police.uk force id, or an openpeel id for non-force areas",
                nullable=False,
            ),
            column("name", "VARCHAR", "Official name", nullable=False),
            column("ons_code", "VARCHAR", "ONS police force area code (E23/W15)"),
            column("ons_name", "VARCHAR", "ONS police force area name", nullable=False),
            column("region", "VARCHAR", "ONS region (Wales for Welsh forces)"),
            column("country", "VARCHAR", "Country", nullable=False),
            column(
                "kind",
                "VARCHAR",
                "territorial (one of the 43), special (BTP), outside_scope, national_fraud",
                nullable=False,
            ),
        ),
        primary_key=("area_id",),
    ),
    Table(
        name="ref_offence_groups",
        description="ONS offence groups with their category, main group and fraud flag (openpeel/ingest/offence_groups.csv).",
        columns=(
            column("offence_group", "VARCHAR", "ONS offence group as published", nullable=False),
            column(
                "category", "VARCHAR", "victim-based, other crimes against society, or fraud", nullable=False
            ),
            column("main_group", "VARCHAR", "Main offence group used by indicators", nullable=False),
            column("is_fraud", "BOOLEAN", "Fraud, excluded from comparisons over time", nullable=False),
            column("note", "VARCHAR", "Series notes"),
        ),
        primary_key=("offence_group",),
    ),
    Table(
        name="core_recorded_crime",
        description="Police recorded crime, rolling 12-month totals by police force area and offence group (ONS).",
        columns=(
            column("area_id", "VARCHAR", "Area (ref_areas.area_id)", nullable=False),
            column("period_end", "DATE", "Last day of the 12 months counted", nullable=False),
            column("offence_group", "VARCHAR", "ONS offence group as published", nullable=False),
            column("offences", "BIGINT", "Offences recorded in the 12 months", "offences", nullable=False),
            _SOURCE,
            _SOURCE_REF,
        ),
        primary_key=("area_id", "period_end", "offence_group"),
    ),
    Table(
        name="core_asb_incidents",
        description="Anti-social behaviour incidents recorded by the police, financial years (ONS PFA table P7).",
        columns=(
            column("area_id", "VARCHAR", "Area (ref_areas.area_id)", nullable=False),
            column("period_end", "DATE", "Last day of the financial year (31 March)", nullable=False),
            column("incidents", "BIGINT", "ASB incidents recorded", "incidents", nullable=False),
            column(
                "published_rate_per_1000",
                "DOUBLE",
                "Rate per 1,000 population as published (null where suppressed or not available)",
                "per 1,000 population",
            ),
            _SOURCE,
            _SOURCE_REF,
        ),
        primary_key=("area_id", "period_end"),
    ),
    Table(
        name="core_population",
        description="Mid-year resident population estimates by police force area (ONS).",
        columns=(
            column("area_id", "VARCHAR", "Area (ref_areas.area_id)", nullable=False),
            column("mid_year", "INTEGER", "Year of the 30 June estimate", nullable=False),
            column("population", "BIGINT", "Resident population", "people", nullable=False),
            _SOURCE,
            _SOURCE_REF,
        ),
        primary_key=("area_id", "mid_year"),
    ),
    Table(
        name="ind_values",
        description="Every indicator for every area and period it can be computed for, with England and Wales comparison, rank and wording band.",
        columns=(
            column("indicator_id", "VARCHAR", "Indicator (openpeel indicators --list)", nullable=False),
            column(
                "area_id",
                "VARCHAR",
                "Force id, or 'england-and-wales' for the total of the 43 forces",
                nullable=False,
            ),
            column("period_end", "DATE", "Last day of the period measured", nullable=False),
            column("base_period_end", "DATE", "For changes: last day of the period compared against"),
            column("numerator", "DOUBLE", "Count the value is computed from", nullable=False),
            column(
                "denominator", "DOUBLE", "Population (rates) or base-period count (changes)", nullable=False
            ),
            column("value", "DOUBLE", "The indicator's value in its unit", nullable=False),
            column("ci_low", "DOUBLE", "Lower end of the 95% interval of the value"),
            column("ci_high", "DOUBLE", "Upper end of the 95% interval of the value"),
            column("ew_value", "DOUBLE", "England and Wales value (43 forces combined) for the same period"),
            column("difference", "DOUBLE", "value - ew_value, in the indicator's unit"),
            column(
                "z_score", "DOUBLE", "Difference from England and Wales over its standard error (log scale)"
            ),
            column("is_significant", "BOOLEAN", "Difference from England and Wales beyond the 95% interval"),
            column(
                "is_material",
                "BOOLEAN",
                "Difference from England and Wales beyond the indicator's materiality threshold",
            ),
            column("band", "VARCHAR", "Wording band against England and Wales: higher, lower or similar"),
            column(
                "rank",
                "INTEGER",
                "Rank among forces with a value, 1 = best by the indicator's direction; ties share the best rank",
            ),
            column("rank_of", "INTEGER", "Number of forces ranked"),
            column("source_ids", "VARCHAR", "Source files behind the value, comma-separated"),
        ),
        primary_key=("indicator_id", "area_id", "period_end"),
    ),
)

TABLES = TABLES + POLICE_UK_TABLES + INDICATOR_TABLES

_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no warehouse table {name!r}") from None
