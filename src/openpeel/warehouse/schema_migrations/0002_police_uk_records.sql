-- Migration 2: data.police.uk street, outcomes, stop and search, coverage and quarantine.
-- Shipped; never edit. A schema change is a new file.

CREATE TABLE IF NOT EXISTS raw_police_uk_street (
    force_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    crime_id VARCHAR,
    falls_within VARCHAR,
    longitude_deg DOUBLE,
    latitude_deg DOUBLE,
    location VARCHAR,
    lsoa_code VARCHAR,
    lsoa_name VARCHAR,
    crime_type VARCHAR NOT NULL,
    last_outcome_category VARCHAR,
    context VARCHAR,
    outcome_group VARCHAR
);

CREATE TABLE IF NOT EXISTS raw_police_uk_outcomes (
    force_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    crime_id VARCHAR NOT NULL,
    falls_within VARCHAR,
    longitude_deg DOUBLE,
    latitude_deg DOUBLE,
    location VARCHAR,
    lsoa_code VARCHAR,
    lsoa_name VARCHAR,
    outcome_type VARCHAR NOT NULL,
    outcome_group VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_police_uk_stop_search (
    force_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    search_type VARCHAR NOT NULL,
    occurred_at_utc TIMESTAMP NOT NULL,
    is_part_of_policing_operation BOOLEAN,
    policing_operation VARCHAR,
    latitude_deg DOUBLE,
    longitude_deg DOUBLE,
    gender VARCHAR,
    age_range VARCHAR,
    self_defined_ethnicity VARCHAR,
    officer_defined_ethnicity VARCHAR,
    legislation VARCHAR,
    object_of_search VARCHAR,
    outcome VARCHAR,
    is_outcome_linked_to_object BOOLEAN,
    has_removal_of_more_than_outer_clothing BOOLEAN
);

CREATE TABLE IF NOT EXISTS meta_police_uk_coverage (
    force_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    file_kind VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    edition VARCHAR,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    rows_in_file BIGINT NOT NULL,
    rows_stored BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    PRIMARY KEY (force_id, month, file_kind)
);

CREATE TABLE IF NOT EXISTS meta_quarantine (
    dataset VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    raw_text VARCHAR,
    quarantined_at TIMESTAMP NOT NULL
);
