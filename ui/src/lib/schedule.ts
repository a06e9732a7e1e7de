/** Today's micro-event slots as the Start screen lists them. Pure helpers, no backend calls. */
import type { ScheduleBooking, ScheduleSlot } from "./backend/types";

/** What the Start screen shows for one booking, and whether it can be checked in. */
export interface BookingRow {
  id: string;
  student: string;
  /** "Check in" when possible, else why not / what happened. */
  state: string;
  canCheckIn: boolean;
}

/** What the Start screen shows for one slot. */
export interface SlotRow {
  id: string;
  /** "09:00–09:30" in the station's local time. */
  time: string;
  rubric: string;
  /** "2 of 4 places booked", or "cancelled". */
  places: string;
  /** Why nobody can be checked in, if so. */
  blocked: string | null;
  bookings: BookingRow[];
}

/** Statuses that hold a place (the server's rule). */
const HOLDS_PLACE = ["booked", "checked-in", "no-show"];

function hhmm(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

export function bookingState(b: ScheduleBooking): string {
  if (b.assessment !== null) {
    if (b.refused !== null) return `Checked in here; the department refused it: ${b.refused}`;
    return b.reported ? "Checked in (recorded by the department)" : "Checked in (reported at the next sync)";
  }
  switch (b.status) {
    case "booked":
      return "Booked";
    case "no-show":
      return "Marked no-show (can still be checked in)";
    case "moved":
      return "Re-booked into another slot";
    case "cancelled":
      return "Cancelled";
    case "checked-in":
      return "Checked in at another time";
    default:
      return b.status;
  }
}

export function slotRow(s: ScheduleSlot): SlotRow {
  const held = s.bookings.filter((b) => HOLDS_PLACE.includes(b.status)).length;
  const blocked = s.cancelled
    ? "This slot was cancelled by the department."
    : s.rubric_title === null
      ? `This station does not have rubric ${s.rubric_id} ${s.rubric_version}; ask the department to publish it.`
      : null;
  return {
    id: s.id,
    time: `${hhmm(s.starts)}–${hhmm(s.ends)}`,
    rubric: s.rubric_title ?? `${s.rubric_id} ${s.rubric_version}`,
    places: s.cancelled ? "cancelled" : `${held} of ${s.capacity} places booked`,
    blocked,
    bookings: s.bookings
      .filter((b) => b.status !== "moved" || b.assessment !== null)
      .map((b) => ({ id: b.id, student: b.student, state: bookingState(b), canCheckIn: b.can_check_in })),
  };
}
