//! [`EventMeta`] on SQLite: one connection behind a mutex, so a change's compare-and-set and its
//! writes are one `IMMEDIATE` transaction.

use rusqlite::{params, TransactionBehavior};

use super::SqliteMeta;
use crate::meta::events::sql;
use crate::meta::{BookingRow, BoxFut, EventChange, EventHistoryRow, EventMeta, EventSnapshot, SlotRow};

fn q(s: &str) -> String {
    s.replace('$', "?")
}

fn slot(r: &rusqlite::Row<'_>) -> rusqlite::Result<SlotRow> {
    Ok(SlotRow {
        id: r.get(0)?,
        station: r.get(1)?,
        rubric_id: r.get(2)?,
        rubric_version: r.get(3)?,
        starts_ms: r.get(4)?,
        ends_ms: r.get(5)?,
        capacity: r.get(6)?,
        fee_reference: r.get(7)?,
        created_ms: r.get(8)?,
        created_by: r.get(9)?,
        cancelled_ms: r.get(10)?,
        cancelled_by: r.get(11)?,
    })
}

fn booking(r: &rusqlite::Row<'_>) -> rusqlite::Result<BookingRow> {
    Ok(BookingRow {
        id: r.get(0)?,
        slot: r.get(1)?,
        student: r.get(2)?,
        status: r.get(3)?,
        created_ms: r.get(4)?,
        created_by: r.get(5)?,
        moved_from: r.get(6)?,
        moved_to: r.get(7)?,
        changed_ms: r.get(8)?,
        changed_by: r.get(9)?,
        checked_in_ms: r.get(10)?,
        assessment: r.get(11)?,
    })
}

fn history(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventHistoryRow> {
    Ok(EventHistoryRow {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        slot: r.get(4)?,
        booking: r.get(5)?,
        detail: r.get(6)?,
    })
}

impl EventMeta for SqliteMeta {
    fn event_snapshot(&self) -> BoxFut<'_, EventSnapshot> {
        self.run(move |c| {
            let tx = c.transaction()?;
            let revision = tx.query_row(sql::REVISION, [], |r| r.get(0))?;
            let slots = {
                let mut s =
                    tx.prepare(&format!("SELECT {} FROM event_slots ORDER BY starts_ms, id", sql::SLOT_COLS))?;
                let rows = s.query_map([], slot)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let bookings = {
                let mut s =
                    tx.prepare(&format!("SELECT {} FROM event_bookings ORDER BY created_ms, id", sql::BOOKING_COLS))?;
                let rows = s.query_map([], booking)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            tx.commit()?;
            Ok(EventSnapshot { revision, slots, bookings })
        })
    }

    fn commit_event_change(&self, ch: EventChange) -> BoxFut<'_, bool> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let revision: i64 = tx.query_row(sql::REVISION, [], |r| r.get(0))?;
            if revision != ch.history.seq {
                return Ok(false);
            }
            for s in &ch.slots {
                tx.execute(
                    &q(sql::UPSERT_SLOT),
                    params![
                        s.id,
                        s.station,
                        s.rubric_id,
                        s.rubric_version,
                        s.starts_ms,
                        s.ends_ms,
                        s.capacity,
                        s.fee_reference,
                        s.created_ms,
                        s.created_by,
                        s.cancelled_ms,
                        s.cancelled_by
                    ],
                )?;
            }
            for b in &ch.bookings {
                tx.execute(
                    &q(sql::UPSERT_BOOKING),
                    params![
                        b.id,
                        b.slot,
                        b.student,
                        b.status,
                        b.created_ms,
                        b.created_by,
                        b.moved_from,
                        b.moved_to,
                        b.changed_ms,
                        b.changed_by,
                        b.checked_in_ms,
                        b.assessment
                    ],
                )?;
            }
            let h = &ch.history;
            tx.execute(
                &q(sql::INSERT_HISTORY),
                params![h.seq, h.at_ms, h.actor, h.action, h.slot, h.booking, h.detail],
            )?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn event_history(&self) -> BoxFut<'_, Vec<EventHistoryRow>> {
        self.run(move |c| {
            let mut s = c.prepare(&format!("SELECT {} FROM event_history ORDER BY seq", sql::HISTORY_COLS))?;
            let rows = s.query_map([], history)?;
            rows.collect()
        })
    }
}
