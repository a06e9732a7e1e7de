-- Delivery state of the sync worker (benchproof-sync) and the transparency-log checkpoints this
-- station has seen. Append-only history: never edit this file once released.

-- The tus upload URL once the server created it, so an upload resumes after a restart.
ALTER TABLE outbox ADD COLUMN upload_url TEXT;
-- The last offset the server confirmed (bytes it holds), for progress and for resuming.
ALTER TABLE outbox ADD COLUMN bytes_confirmed INTEGER NOT NULL DEFAULT 0;
-- Failures the server answered with a final refusal (403, 409, 422): never retried blindly.
ALTER TABLE outbox ADD COLUMN permanent_failures INTEGER NOT NULL DEFAULT 0;
-- Set when the worker stopped trying: what an operator must do. NULL while it keeps trying.
ALTER TABLE outbox ADD COLUMN alert TEXT;

-- Checkpoints of the department's log, in the order this station saw them. Each new one must be
-- proven consistent with the last before it is kept; the rows are never changed.
CREATE TABLE log_checkpoints (
    seq         INTEGER PRIMARY KEY,
    origin      TEXT NOT NULL,
    tree_size   INTEGER NOT NULL,
    root_hash   TEXT NOT NULL,      -- lowercase hex
    note        TEXT NOT NULL,      -- the signed note, exactly as received
    seen_at     TEXT NOT NULL
) STRICT;

CREATE TRIGGER log_checkpoints_are_append_only_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'seen checkpoints are append-only'); END;
CREATE TRIGGER log_checkpoints_are_append_only_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'seen checkpoints are append-only'); END;

-- Things the sync worker could not fix by retrying (a rewritten log, a refused bundle).
CREATE TABLE sync_alerts (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,      -- log-rewritten | bundle-refused | ...
    assessment_id TEXT,
    detail      TEXT NOT NULL
) STRICT;
