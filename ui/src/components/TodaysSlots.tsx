import { useEffect } from "preact/hooks";
import type { Backend, ScheduleBooking, ScheduleSlot } from "../lib/backend";
import { slotRow } from "../lib/schedule";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNote, Loading } from "./Notice";

/** The booking the proctor picked, with its slot (for the rubric). */
export interface PickedBooking {
  booking: ScheduleBooking;
  slot: ScheduleSlot;
}

/**
 * Today's micro-event slots from the station's schedule copy, with their booked students.
 * Picking a booking fills the Start form (student and rubric) and makes Start check them in.
 * Shows nothing when the station never downloaded a schedule.
 */
export function TodaysSlots({
  backend,
  picked,
  onPick,
}: {
  backend: Backend;
  picked: string | null;
  onPick: (p: PickedBooking) => void;
}) {
  const schedule = useAsync(() => backend.schedule(), [backend]);
  useEffect(() => backend.subscribeChanges(schedule.reload), [backend]);
  if (schedule.loading && schedule.value === undefined) return <Loading what="today's slots" />;
  if (schedule.error) return <ErrorNote error={schedule.error} />;
  const list = schedule.value;
  if (list === null || list === undefined) return null;
  return (
    <section class="card" aria-labelledby="slots-title" data-testid="todays-slots">
      <h2 id="slots-title">Today's slots</h2>
      <p class="hint">
        Schedule revision {list.revision}, downloaded {new Date(list.fetched_at).toLocaleString()}.
      </p>
      {list.slots.length === 0 && <Empty>No slots at this station today.</Empty>}
      {list.slots.map((s) => {
        const row = slotRow(s);
        return (
          <div class="slot" key={row.id} data-testid="slot">
            <h3>
              {row.time} · {row.rubric} <small>({row.places})</small>
            </h3>
            {row.blocked && <p class="warning">{row.blocked}</p>}
            {row.bookings.length === 0 && <Empty>Nobody is booked.</Empty>}
            <ul class="bookings">
              {row.bookings.map((b) => {
                const booking = s.bookings.find((x) => x.id === b.id);
                return (
                  <li key={b.id} class={picked === b.id ? "picked" : undefined}>
                    <span>
                      <strong>{b.student}</strong> <small>{b.state}</small>
                    </span>
                    {b.canCheckIn && booking && (
                      <button
                        type="button"
                        aria-pressed={picked === b.id}
                        onClick={() => onPick({ booking, slot: s })}
                        aria-label={`Check in ${b.student}`}
                      >
                        Check in
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
