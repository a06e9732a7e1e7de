-- benchproof-server metadata, version 2: credentials, revocation, employer review links.
-- Shared by SQLite and PostgreSQL (portable SQL only). Never edit once released.
CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    bundle_sha256 TEXT NOT NULL REFERENCES bundles (sha256),
    assessment TEXT NOT NULL,
    student TEXT NOT NULL,
    rubric TEXT NOT NULL,
    status_index BIGINT NOT NULL UNIQUE,
    issued_ms BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_ms BIGINT,
    revoked_by TEXT,
    revoke_reason TEXT,
    document TEXT NOT NULL
);
CREATE INDEX credentials_by_bundle ON credentials (bundle_sha256);
CREATE TABLE review_links (
    id TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    bundle_sha256 TEXT NOT NULL REFERENCES bundles (sha256),
    assessment TEXT NOT NULL,
    label TEXT NOT NULL,
    code_phc TEXT,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    revoked_by TEXT
);
CREATE TABLE review_access (
    link TEXT NOT NULL REFERENCES review_links (id),
    at_ms BIGINT NOT NULL,
    resource TEXT NOT NULL,
    outcome TEXT NOT NULL,
    client TEXT NOT NULL
);
CREATE INDEX review_access_by_link ON review_access (link, at_ms);
CREATE TABLE remediation_notes (
    bundle_sha256 TEXT NOT NULL REFERENCES bundles (sha256),
    note TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX remediation_notes_by_bundle ON remediation_notes (bundle_sha256);
