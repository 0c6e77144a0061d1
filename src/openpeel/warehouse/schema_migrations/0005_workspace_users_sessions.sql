-- Migration 5: web users and sessions.
-- Shipped; never edit. A schema change is a new file.

CREATE TABLE IF NOT EXISTS web_users (
    username VARCHAR NOT NULL,
    display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    is_active BOOLEAN NOT NULL,
    PRIMARY KEY (username)
);

CREATE TABLE IF NOT EXISTS web_sessions (
    token_sha256 VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    csrf_token VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_sha256)
);
