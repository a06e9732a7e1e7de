-- benchproof-server metadata, version 4: OAuth 2.0 for the Open Badges 3.0 API (dynamically
-- registered clients, authorization codes, access and refresh tokens). Only SHA-256 digests of
-- secrets, codes and tokens are stored. Shared by SQLite and PostgreSQL. Never edit once released.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE TABLE oauth_codes (
    code_sha256 TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id),
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    challenge TEXT NOT NULL,
    username TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE TABLE oauth_tokens (
    token_sha256 TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id),
    scope TEXT NOT NULL,
    username TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);
