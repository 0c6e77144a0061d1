-- Migration 10: files refused for their force-month (a stored month is replaced only by one at
-- least as good), one row per force-month and kind. Shipped; never edit.

CREATE TABLE IF NOT EXISTS meta_police_uk_refusals (
    force_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    file_kind VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    edition VARCHAR,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    rows_in_file BIGINT NOT NULL,
    rows_valid BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_kept BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    refused_at TIMESTAMP NOT NULL,
    PRIMARY KEY (force_id, month, file_kind)
);
