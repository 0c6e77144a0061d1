-- Migration 3: imported measures, peer groups, workforce and indicator extensions.
-- Shipped; never edit. A schema change is a new file.

CREATE TABLE IF NOT EXISTS core_workforce (
    area_id VARCHAR NOT NULL,
    as_at DATE NOT NULL,
    officers_fte DOUBLE NOT NULL,
    source_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    PRIMARY KEY (area_id, as_at)
);

CREATE TABLE IF NOT EXISTS raw_imported_measures (
    measure VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    numerator DOUBLE NOT NULL,
    denominator DOUBLE NOT NULL,
    is_numerator_derived BOOLEAN NOT NULL,
    source VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    PRIMARY KEY (measure, area_id, period_end)
);

CREATE TABLE IF NOT EXISTS ref_peer_groups (
    peer_set VARCHAR NOT NULL,
    force_id VARCHAR NOT NULL,
    peer_id VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (peer_set, force_id, peer_id)
);

CREATE TABLE IF NOT EXISTS ind_peer_values (
    indicator_id VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    peer_set VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL,
    peer_count INTEGER NOT NULL,
    peer_value DOUBLE,
    z_score DOUBLE,
    is_significant BOOLEAN,
    is_material BOOLEAN,
    band VARCHAR,
    peer_numerator DOUBLE,
    peer_denominator DOUBLE,
    PRIMARY KEY (indicator_id, area_id, period_end, peer_set)
);

CREATE TABLE IF NOT EXISTS ind_rank_ranges (
    indicator_id VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    rank_best INTEGER NOT NULL,
    rank_worst INTEGER NOT NULL,
    significantly_above INTEGER NOT NULL,
    significantly_below INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, area_id, period_end)
);
