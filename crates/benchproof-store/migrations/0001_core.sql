-- Core tables of the station cache. Append-only history: never edit this file once released.

CREATE TABLE rubrics (
    sha256      TEXT PRIMARY KEY NOT NULL,   -- SHA-256 of the exact TOML text
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,               -- the exact TOML text
    added_at    TEXT NOT NULL
) STRICT;

CREATE TABLE assessments (
    id              TEXT PRIMARY KEY NOT NULL,   -- UUIDv7
    rubric_sha256   TEXT NOT NULL REFERENCES rubrics(sha256),
    student         TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_seq        INTEGER NOT NULL,
    head            TEXT NOT NULL               -- hash of the last event: detects cuts from the end
) STRICT;

-- The hash-chained event log. `record` is the canonical JSON of the whole EventRecord.
CREATE TABLE events (
    assessment_id   TEXT NOT NULL REFERENCES assessments(id),
    seq             INTEGER NOT NULL,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    prev            TEXT NOT NULL,
    hash            TEXT NOT NULL,
    record          TEXT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Projection of step_ticked events, for queries; the events stay the source of truth.
CREATE TABLE step_results (
    assessment_id   TEXT NOT NULL REFERENCES assessments(id),
    seq             INTEGER NOT NULL,
    step_id         TEXT NOT NULL,
    verdict         TEXT NOT NULL,
    level           TEXT,
    note            TEXT,
    at              TEXT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
) STRICT, WITHOUT ROWID;

-- Content-addressed media. The bytes live in files beside the database (media/ab/abcdef…).
CREATE TABLE media (
    sha256      TEXT PRIMARY KEY NOT NULL,
    bytes       INTEGER NOT NULL,
    stored_at   TEXT NOT NULL
) STRICT;

CREATE TABLE snippets (
    id              TEXT PRIMARY KEY NOT NULL,  -- UUIDv7
    assessment_id   TEXT NOT NULL REFERENCES assessments(id),
    seq             INTEGER NOT NULL,
    step_id         TEXT,
    name            TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    sha256          TEXT NOT NULL REFERENCES media(sha256),
    bytes           INTEGER NOT NULL,
    captured_at     TEXT NOT NULL
) STRICT;
