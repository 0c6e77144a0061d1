-- Migration 11: the Parquet lake holds one file per kind and month (kind=K/month=M/part-0.parquet),
-- rows sorted by force with one force per row group, force_id a column of the file; it held one
-- file per kind, month and force. Shipped; never edit. A schema change is a new file.
-- Before this runs, openpeel.warehouse.lake_months rewrites the force-month files into month files
-- (every row kept, counts checked); the force-month files are removed once the warehouse that
-- records this migration is in place. The views start empty and typed; after this runs, and after
-- every ingest, they are pointed at the month files (openpeel.warehouse.lake).

CREATE OR REPLACE VIEW raw_police_uk_street AS SELECT
    CAST(NULL AS VARCHAR) AS force_id,
    CAST(NULL AS DATE) AS month,
    CAST(NULL AS VARCHAR) AS crime_id,
    CAST(NULL AS VARCHAR) AS falls_within,
    CAST(NULL AS DOUBLE) AS longitude_deg,
    CAST(NULL AS DOUBLE) AS latitude_deg,
    CAST(NULL AS VARCHAR) AS location,
    CAST(NULL AS VARCHAR) AS lsoa_code,
    CAST(NULL AS VARCHAR) AS lsoa_name,
    CAST(NULL AS VARCHAR) AS crime_type,
    CAST(NULL AS VARCHAR) AS last_outcome_category,
    CAST(NULL AS VARCHAR) AS context,
    CAST(NULL AS VARCHAR) AS outcome_group
WHERE false;

CREATE OR REPLACE VIEW raw_police_uk_outcomes AS SELECT
    CAST(NULL AS VARCHAR) AS force_id,
    CAST(NULL AS DATE) AS month,
    CAST(NULL AS VARCHAR) AS crime_id,
    CAST(NULL AS VARCHAR) AS falls_within,
    CAST(NULL AS DOUBLE) AS longitude_deg,
    CAST(NULL AS DOUBLE) AS latitude_deg,
    CAST(NULL AS VARCHAR) AS location,
    CAST(NULL AS VARCHAR) AS lsoa_code,
    CAST(NULL AS VARCHAR) AS lsoa_name,
    CAST(NULL AS VARCHAR) AS outcome_type,
    CAST(NULL AS VARCHAR) AS outcome_group
WHERE false;

CREATE OR REPLACE VIEW raw_police_uk_stop_search AS SELECT
    CAST(NULL AS VARCHAR) AS force_id,
    CAST(NULL AS DATE) AS month,
    CAST(NULL AS VARCHAR) AS search_type,
    CAST(NULL AS TIMESTAMP) AS occurred_at_utc,
    CAST(NULL AS BOOLEAN) AS is_part_of_policing_operation,
    CAST(NULL AS VARCHAR) AS policing_operation,
    CAST(NULL AS DOUBLE) AS latitude_deg,
    CAST(NULL AS DOUBLE) AS longitude_deg,
    CAST(NULL AS VARCHAR) AS gender,
    CAST(NULL AS VARCHAR) AS age_range,
    CAST(NULL AS VARCHAR) AS self_defined_ethnicity,
    CAST(NULL AS VARCHAR) AS officer_defined_ethnicity,
    CAST(NULL AS VARCHAR) AS legislation,
    CAST(NULL AS VARCHAR) AS object_of_search,
    CAST(NULL AS VARCHAR) AS outcome,
    CAST(NULL AS BOOLEAN) AS is_outcome_linked_to_object,
    CAST(NULL AS BOOLEAN) AS has_removal_of_more_than_outer_clothing
WHERE false;
