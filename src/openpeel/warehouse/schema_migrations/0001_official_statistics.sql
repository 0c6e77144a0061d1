-- Migration 1: official statistics, reference areas and indicator values.
-- Shipped; never edit. A schema change is a new file.

CREATE TABLE IF NOT EXISTS meta_source_files (
    source_id VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    publisher VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    read_from VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source_id)
);

CREATE TABLE IF NOT EXISTS ref_areas (
    area_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    ons_code VARCHAR,
    ons_name VARCHAR NOT NULL,
    region VARCHAR,
    country VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    PRIMARY KEY (area_id)
);

CREATE TABLE IF NOT EXISTS ref_offence_groups (
    offence_group VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    main_group VARCHAR NOT NULL,
    is_fraud BOOLEAN NOT NULL,
    note VARCHAR,
    PRIMARY KEY (offence_group)
);

CREATE TABLE IF NOT EXISTS core_recorded_crime (
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    offence_group VARCHAR NOT NULL,
    offences BIGINT NOT NULL,
    source_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    PRIMARY KEY (area_id, period_end, offence_group)
);

CREATE TABLE IF NOT EXISTS core_asb_incidents (
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    incidents BIGINT NOT NULL,
    published_rate_per_1000 DOUBLE,
    source_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    PRIMARY KEY (area_id, period_end)
);

CREATE TABLE IF NOT EXISTS core_population (
    area_id VARCHAR NOT NULL,
    mid_year INTEGER NOT NULL,
    population BIGINT NOT NULL,
    source_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    PRIMARY KEY (area_id, mid_year)
);

CREATE TABLE IF NOT EXISTS ind_values (
    indicator_id VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    base_period_end DATE,
    numerator DOUBLE NOT NULL,
    denominator DOUBLE NOT NULL,
    value DOUBLE NOT NULL,
    ci_low DOUBLE,
    ci_high DOUBLE,
    ew_value DOUBLE,
    difference DOUBLE,
    z_score DOUBLE,
    is_significant BOOLEAN,
    is_material BOOLEAN,
    band VARCHAR,
    rank INTEGER,
    rank_of INTEGER,
    source_ids VARCHAR,
    PRIMARY KEY (indicator_id, area_id, period_end)
);
