//! [`EventMeta`] on PostgreSQL: a change's compare-and-set and its writes are one transaction
//! holding a transaction-scoped advisory lock, so server processes sharing the database take
//! turns and the revision (the history's row count) is checked with no change in between.

use tokio_postgres::Row;

use super::{pg, PgMeta};
use crate::meta::events::sql;
use crate::meta::{BookingRow, BoxFut, EventChange, EventHistoryRow, EventMeta, EventSnapshot, SlotRow};

/// The advisory lock key that serialises schedule changes ("bpevnt").
const EVENTS_LOCK: i64 = 0x6270_6576_6e74;

fn slot(r: &Row) -> SlotRow {
    SlotRow {
        id: r.get(0),
        station: r.get(1),
        rubric_id: r.get(2),
        rubric_version: r.get(3),
        starts_ms: r.get(4),
        ends_ms: r.get(5),
        capacity: r.get(6),
        fee_reference: r.get(7),
        created_ms: r.get(8),
        created_by: r.get(9),
        cancelled_ms: r.get(10),
        cancelled_by: r.get(11),
    }
}

fn booking(r: &Row) -> BookingRow {
    BookingRow {
        id: r.get(0),
        slot: r.get(1),
        student: r.get(2),
        status: r.get(3),
        created_ms: r.get(4),
        created_by: r.get(5),
        moved_from: r.get(6),
        moved_to: r.get(7),
        changed_ms: r.get(8),
        changed_by: r.get(9),
        checked_in_ms: r.get(10),
        assessment: r.get(11),
    }
}

impl EventMeta for PgMeta {
    fn event_snapshot(&self) -> BoxFut<'_, EventSnapshot> {
        Box::pin(async move {
            let mut c = self.client.lock().await;
            // One snapshot: REPEATABLE READ sees the three reads at one point in time.
            let tx = c
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(pg)?;
            let revision: i64 = tx.query_one(sql::REVISION, &[]).await.map_err(pg)?.get(0);
            let slots = tx
                .query(&format!("SELECT {} FROM event_slots ORDER BY starts_ms, id", sql::SLOT_COLS), &[])
                .await
                .map_err(pg)?
                .iter()
                .map(slot)
                .collect();
            let bookings = tx
                .query(&format!("SELECT {} FROM event_bookings ORDER BY created_ms, id", sql::BOOKING_COLS), &[])
                .await
                .map_err(pg)?
                .iter()
                .map(booking)
                .collect();
            tx.commit().await.map_err(pg)?;
            Ok(EventSnapshot { revision, slots, bookings })
        })
    }

    fn commit_event_change(&self, ch: EventChange) -> BoxFut<'_, bool> {
        Box::pin(async move {
            let mut c = self.client.lock().await;
            let tx = c.transaction().await.map_err(pg)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK]).await.map_err(pg)?;
            let revision: i64 = tx.query_one(sql::REVISION, &[]).await.map_err(pg)?.get(0);
            if revision != ch.history.seq {
                return Ok(false);
            }
            for s in &ch.slots {
                tx.execute(
                    sql::UPSERT_SLOT,
                    &[
                        &s.id,
                        &s.station,
                        &s.rubric_id,
                        &s.rubric_version,
                        &s.starts_ms,
                        &s.ends_ms,
                        &s.capacity,
                        &s.fee_reference,
                        &s.created_ms,
                        &s.created_by,
                        &s.cancelled_ms,
                        &s.cancelled_by,
                    ],
                )
                .await
                .map_err(pg)?;
            }
            for b in &ch.bookings {
                tx.execute(
                    sql::UPSERT_BOOKING,
                    &[
                        &b.id,
                        &b.slot,
                        &b.student,
                        &b.status,
                        &b.created_ms,
                        &b.created_by,
                        &b.moved_from,
                        &b.moved_to,
                        &b.changed_ms,
                        &b.changed_by,
                        &b.checked_in_ms,
                        &b.assessment,
                    ],
                )
                .await
                .map_err(pg)?;
            }
            let h = &ch.history;
            tx.execute(sql::INSERT_HISTORY, &[&h.seq, &h.at_ms, &h.actor, &h.action, &h.slot, &h.booking, &h.detail])
                .await
                .map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            Ok(true)
        })
    }

    fn event_history(&self) -> BoxFut<'_, Vec<EventHistoryRow>> {
        Box::pin(async move {
            let c = self.client.lock().await;
            let rows = c
                .query(&format!("SELECT {} FROM event_history ORDER BY seq", sql::HISTORY_COLS), &[])
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| EventHistoryRow {
                    seq: r.get(0),
                    at_ms: r.get(1),
                    actor: r.get(2),
                    action: r.get(3),
                    slot: r.get(4),
                    booking: r.get(5),
                    detail: r.get(6),
                })
                .collect())
        })
    }
}
