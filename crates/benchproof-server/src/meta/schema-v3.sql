-- benchproof-server metadata, version 3: micro-events (assessment slots, bookings, their history).
-- Shared by SQLite and PostgreSQL (portable SQL only). Never edit once released.
CREATE TABLE event_slots (
    id TEXT PRIMARY KEY,
    station TEXT NOT NULL,
    rubric_id TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    starts_ms BIGINT NOT NULL,
    ends_ms BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    fee_reference TEXT,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    cancelled_ms BIGINT,
    cancelled_by TEXT
);
CREATE INDEX event_slots_by_station ON event_slots (station, starts_ms);
CREATE TABLE event_bookings (
    id TEXT PRIMARY KEY,
    slot TEXT NOT NULL REFERENCES event_slots (id),
    student TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    moved_from TEXT,
    moved_to TEXT,
    changed_ms BIGINT,
    changed_by TEXT,
    checked_in_ms BIGINT,
    assessment TEXT
);
CREATE INDEX event_bookings_by_slot ON event_bookings (slot);
-- One row per change to slots or bookings, in order; seq is dense from 0 and is the schedule's
-- revision. Rows are only appended.
CREATE TABLE event_history (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    slot TEXT NOT NULL,
    booking TEXT,
    detail TEXT NOT NULL
);
