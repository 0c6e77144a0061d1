-- Migration 4: evidence store, judgements and audit trail.
-- Shipped; never edit. A schema change is a new file.

CREATE TABLE IF NOT EXISTS ev_inspections (
    force_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    inspection_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    fieldwork_start DATE,
    fieldwork_end DATE,
    published DATE,
    summary VARCHAR,
    source VARCHAR NOT NULL,
    PRIMARY KEY (force_id, year, inspection_id)
);

CREATE TABLE IF NOT EXISTS ev_findings (
    force_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    finding_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    inspection_id VARCHAR NOT NULL,
    question_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    topics VARCHAR[] NOT NULL,
    indicators VARCHAR[] NOT NULL,
    explains VARCHAR[] NOT NULL,
    source_ref VARCHAR,
    is_exceptional BOOLEAN NOT NULL,
    is_resolved BOOLEAN NOT NULL,
    in_overview BOOLEAN NOT NULL,
    PRIMARY KEY (force_id, year, finding_id)
);

CREATE TABLE IF NOT EXISTS as_judgements (
    force_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    question_id VARCHAR NOT NULL,
    pillar_id VARCHAR NOT NULL,
    is_graded BOOLEAN NOT NULL,
    is_inspected BOOLEAN NOT NULL,
    state VARCHAR NOT NULL,
    proposed_grade VARCHAR,
    current_grade VARCHAR,
    is_overridden BOOLEAN NOT NULL,
    rationale VARCHAR,
    rubric_id VARCHAR,
    proposal_json VARCHAR,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (force_id, year, question_id)
);

CREATE TABLE IF NOT EXISTS as_audit_events (
    event_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    force_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    entity_id VARCHAR NOT NULL,
    before_json VARCHAR,
    after_json VARCHAR,
    reason VARCHAR,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL,
    PRIMARY KEY (event_id)
);
