-- Leaner, stricter event log. Append-only history: never edit this file once released.
--
-- 1. `INSERT OR REPLACE` deletes the old row without firing DELETE triggers (unless
--    recursive_triggers is on), so it slipped past the append-only triggers of 0001.
--    Refuse any insert that would land on an existing (assessment, seq).
-- 2. Every page a tick touches is copied into the WAL and fsynced before the tick is
--    acknowledged, so a tick should touch as few as possible:
--    - the 0002 index on (state, updated_at) moved on every tick, because updated_at does;
--      index the state alone, which changes a handful of times per assessment;
--    - step_results duplicated step_ticked events and nothing read it; the events are the
--      source of truth (the station replays them);
--    - events.at/prev/hash duplicated fields of the canonical `record` JSON.

CREATE TRIGGER events_are_append_only_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE assessment_id = NEW.assessment_id AND seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

DROP INDEX assessments_by_state;
CREATE INDEX assessments_by_state_only ON assessments(state);

DROP TABLE step_results;

-- DROP COLUMN rewrites rows; the append-only triggers must not see that as an update.
DROP TRIGGER events_are_append_only_update;
ALTER TABLE events DROP COLUMN at;
ALTER TABLE events DROP COLUMN prev;
ALTER TABLE events DROP COLUMN hash;
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
