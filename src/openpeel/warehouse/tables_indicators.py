"""Warehouse tables for indicator extensions (imported measures, peer groups, workforce, rank uncertainty)."""

from __future__ import annotations

from openpeel.core.registry import Table, column

_KEY = (
    column("indicator_id", "VARCHAR", "Indicator (openpeel indicators --list)", nullable=False),
    column("area_id", "VARCHAR", "Force id", nullable=False),
    column("period_end", "DATE", "Last day of the period measured", nullable=False),
)

INDICATOR_TABLES: tuple[Table, ...] = (
    Table(
        name="core_workforce",
        description="Police officers (full-time equivalent) by police force area at 31 March and 30 September (Home Office police workforce tables, table 1).",
        columns=(
            column("area_id", "VARCHAR", "Area (ref_areas.area_id)", nullable=False),
            column("as_at", "DATE", "Date of the count (31 March or 30 September)", nullable=False),
            column(
                "officers_fte",
                "DOUBLE",
                "Police officers, full-time equivalent",
                "FTE officers",
                nullable=False,
            ),
            column(
                "source_id",
                "VARCHAR",
                "Source file the value was read from (meta_source_files.source_id); the latest edition holding the date",
                nullable=False,
            ),
            column("source_ref", "VARCHAR", "Sheet, row and column in the source file", nullable=False),
        ),
        primary_key=("area_id", "as_at"),
    ),
    Table(
        name="raw_imported_measures",
        description="Measures supplied as CSV by the inspectorate or forces (openpeel import-measures; docs/imported-measures.md), one row per measure, force and period.",
        columns=(
            column("measure", "VARCHAR", "Measure id, e.g. domestic_abuse_arrests", nullable=False),
            column(
                "area_id",
                "VARCHAR",
                "Force id, or 'england-and-wales' for a published national figure",
                nullable=False,
            ),
            column("period_end", "DATE", "Last day of the period measured", nullable=False),
            column(
                "numerator",
                "DOUBLE",
                "Count measured (arrests, records correctly recorded, satisfied respondents)",
                nullable=False,
            ),
            column(
                "denominator",
                "DOUBLE",
                "What it is measured against (crimes, records audited, respondents)",
                nullable=False,
            ),
            column(
                "is_numerator_derived",
                "BOOLEAN",
                "The file gave a value and a denominator; the numerator is value × denominator / 100",
                nullable=False,
            ),
            column(
                "source",
                "VARCHAR",
                "Who published or supplied the figure, as given in the file",
                nullable=False,
            ),
            column("source_id", "VARCHAR", "The imported file (meta_source_files.source_id)", nullable=False),
            column("source_ref", "VARCHAR", "File name and line", nullable=False),
        ),
        primary_key=("measure", "area_id", "period_end"),
    ),
    Table(
        name="ref_peer_groups",
        description="Peer forces, as data: for each force and peer set, the forces it is compared with. The shipped set 'region' (openpeel/forces/peer_groups.csv) pairs each force with the other forces of its ONS region (Wales is one group); an imported most-similar-groups file (openpeel peers --import) adds its own set.",
        columns=(
            column(
                "peer_set",
                "VARCHAR",
                "Set of peers: 'region', or the name an imported file was given",
                nullable=False,
            ),
            column("force_id", "VARCHAR", "The force being compared", nullable=False),
            column("peer_id", "VARCHAR", "One of its peers (never the force itself)", nullable=False),
            column(
                "group_name", "VARCHAR", "Name of the force's group, e.g. 'East Midlands'", nullable=False
            ),
            column("source", "VARCHAR", "Where the grouping comes from (file and line)", nullable=False),
        ),
        primary_key=("peer_set", "force_id", "peer_id"),
    ),
    Table(
        name="ind_peer_values",
        description="Every force's indicator value compared with its peers (the other forces of its group combined), per peer set.",
        columns=(
            *_KEY,
            column("peer_set", "VARCHAR", "Peer set (ref_peer_groups.peer_set)", nullable=False),
            column("group_name", "VARCHAR", "The force's group in that set", nullable=False),
            column(
                "peer_count",
                "INTEGER",
                "Forces in the comparison (the force itself excluded)",
                nullable=False,
            ),
            column("peer_value", "DOUBLE", "Value of the other members combined (sums of counts)"),
            column("z_score", "DOUBLE", "Difference from the peers over its standard error (log scale)"),
            column("is_significant", "BOOLEAN", "Difference beyond the 95% interval"),
            column("is_material", "BOOLEAN", "Difference beyond the indicator's materiality threshold"),
            column("band", "VARCHAR", "higher, lower or similar, by the same rule as England and Wales"),
            column("peer_numerator", "DOUBLE", "Sum of the peers' numerators"),
            column("peer_denominator", "DOUBLE", "Sum of the peers' denominators"),
            column(
                "peer_overlap",
                "DOUBLE",
                "Share of the between-force variance left in the peers' combined value: sum of squared denominators over the squared sum",
            ),
        ),
        primary_key=("indicator_id", "area_id", "period_end", "peer_set"),
    ),
    Table(
        name="ind_rank_ranges",
        description="How sure a force's rank is: the best and worst rank consistent with pairwise 95% comparisons against every other ranked force (docs/methodology.md).",
        columns=(
            *_KEY,
            column("rank_best", "INTEGER", "1 + forces significantly better than this one", nullable=False),
            column(
                "rank_worst",
                "INTEGER",
                "Forces ranked − forces significantly worse than this one",
                nullable=False,
            ),
            column(
                "significantly_above",
                "INTEGER",
                "Forces whose value is significantly below this one's",
                nullable=False,
            ),
            column(
                "significantly_below",
                "INTEGER",
                "Forces whose value is significantly above this one's",
                nullable=False,
            ),
        ),
        primary_key=("indicator_id", "area_id", "period_end"),
    ),
    Table(
        name="ind_dispersion",
        description="The spread between forces each comparison allows for, per indicator and period: winsorised dispersion factor and DerSimonian-Laird between-force variance (Spiegelhalter 2005; docs/methodology.md).",
        columns=(
            column("indicator_id", "VARCHAR", "Indicator (openpeel indicators --list)", nullable=False),
            column("period_end", "DATE", "Last day of the period measured", nullable=False),
            column(
                "method",
                "VARCHAR",
                "How the comparison allows for the spread: random-effects",
                nullable=False,
            ),
            column("forces", "INTEGER", "Ranked forces the spread was estimated from", nullable=False),
            column(
                "dispersion_factor",
                "DOUBLE",
                "Mean z-squared of the Poisson z-scores winsorised at 10% and 90%",
            ),
            column(
                "tau2_cross_section",
                "DOUBLE",
                "Between-force variance estimated from this period's forces (log or share scale)",
            ),
            column(
                "tau2",
                "DOUBLE",
                "Between-force variance used: for changes, the mean of the cross-section estimates over the history up to this period",
            ),
            column(
                "history_periods", "INTEGER", "Periods the variance used is averaged over", nullable=False
            ),
            column(
                "rank_variance",
                "DOUBLE",
                "Variance added to each force's value when rank ranges are simulated",
            ),
        ),
        primary_key=("indicator_id", "period_end"),
    ),
)
