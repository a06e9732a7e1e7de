-- Micro-event schedule: the station's copy of its schedule (downloaded when online, used when
-- offline) and the check-ins made from it, each reported to the server once.
-- Append-only history: never edit this file once released.

-- The last schedule document the server sent (one row), exactly as received.
CREATE TABLE schedule_copy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    server      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    document    TEXT NOT NULL,      -- benchproof-schedule JSON
    fetched_at  TEXT NOT NULL
) STRICT;

-- One row per booking checked in at this station; reported_at is set once the server recorded it,
-- refused when the server refused it for good (with its reason). Rows are never deleted.
CREATE TABLE schedule_check_ins (
    booking_id    TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL,
    student       TEXT NOT NULL,
    checked_in_at TEXT NOT NULL,
    reported_at   TEXT,
    refused       TEXT
) STRICT;

CREATE TRIGGER schedule_check_ins_are_kept BEFORE DELETE ON schedule_check_ins
BEGIN SELECT RAISE(ABORT, 'check-ins are never deleted'); END;
