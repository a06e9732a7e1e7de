-- Sealed bundles waiting to reach the department server. Append-only history: never edit.

CREATE TABLE outbox (
    assessment_id   TEXT PRIMARY KEY NOT NULL REFERENCES assessments(id),
    bundle_sha256   TEXT NOT NULL,
    bundle_bytes    INTEGER NOT NULL,
    bundle_path     TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',   -- pending | uploading | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    queued_at       TEXT NOT NULL,
    delivered_at    TEXT,
    receipt         TEXT
) STRICT;

CREATE INDEX assessments_by_state ON assessments(state, updated_at);
CREATE INDEX snippets_by_assessment ON snippets(assessment_id, seq);
