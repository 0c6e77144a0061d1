-- Migration 6: the workspace (evidence, judgements, audit trail, users, sessions) moved to the
-- transactional store (openpeel.store). Shipped; never edit.
-- openpeel.warehouse.migrations refuses to run this while the tables hold rows: they are moved
-- first by `openpeel store import-warehouse`.

DROP TABLE IF EXISTS web_sessions;

DROP TABLE IF EXISTS web_users;

DROP TABLE IF EXISTS as_audit_events;

DROP TABLE IF EXISTS as_judgements;

DROP TABLE IF EXISTS ev_findings;

DROP TABLE IF EXISTS ev_inspections;
