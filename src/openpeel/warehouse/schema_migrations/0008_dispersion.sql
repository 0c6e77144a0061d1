-- Migration 8: the between-force spread behind every comparison (ind_dispersion), and each
-- peer comparison's overlap with the force's own counts. Shipped; never edit.

CREATE TABLE IF NOT EXISTS ind_dispersion (
    indicator_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    method VARCHAR NOT NULL,
    forces INTEGER NOT NULL,
    dispersion_factor DOUBLE,
    tau2_cross_section DOUBLE,
    tau2 DOUBLE,
    history_periods INTEGER NOT NULL,
    rank_variance DOUBLE,
    PRIMARY KEY (indicator_id, period_end)
);

ALTER TABLE ind_peer_values ADD COLUMN peer_overlap DOUBLE;
