-- benchproof-server metadata, version 1. Shared by SQLite and PostgreSQL (portable SQL only).
-- Never edit once released: add a new version instead.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    assessment TEXT NOT NULL,
    filename TEXT NOT NULL,
    metadata TEXT NOT NULL,
    station TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE TABLE upload_parts (
    upload TEXT NOT NULL REFERENCES uploads (id),
    part_offset BIGINT NOT NULL,
    len BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    PRIMARY KEY (upload, part_offset)
);
CREATE TABLE bundles (
    sha256 TEXT PRIMARY KEY,
    assessment TEXT NOT NULL UNIQUE,
    leaf_index BIGINT NOT NULL UNIQUE,
    station TEXT NOT NULL,
    station_name TEXT NOT NULL,
    student TEXT NOT NULL,
    rubric TEXT NOT NULL,
    outcome TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE TABLE quarantine (
    blob_key TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    assessment TEXT NOT NULL,
    station TEXT NOT NULL,
    failed_check TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE TABLE conflicts (
    blob_key TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    assessment TEXT NOT NULL,
    held_sha256 TEXT NOT NULL,
    station TEXT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE TABLE stations (
    did TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    last_contact_ms BIGINT NOT NULL
);
CREATE TABLE nonces (
    nonce TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);
CREATE TABLE admins (
    username TEXT PRIMARY KEY,
    phc TEXT NOT NULL
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
