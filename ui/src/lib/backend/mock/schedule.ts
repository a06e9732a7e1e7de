/**
 * The mock station's schedule copy: what the sync worker would have downloaded, and check-ins
 * made from it. Mirrors `benchproof_station::schedule`: only a `booked` or `no-show` booking of
 * an open slot whose rubric (at that version) the station has can be checked in, once.
 */
import type { Rubric, ScheduleBooking, ScheduleList, ScheduleSlot } from "../types";
import { refuse } from "./state";

/** Recomputes `can_check_in` of every booking (as the station derives it). */
export function derive(list: ScheduleList, rubrics: readonly Rubric[]): ScheduleList {
  const copy = structuredClone(list);
  for (const s of copy.slots) {
    const rubric = rubrics.find((r) => r.id === s.rubric_id && r.version === s.rubric_version);
    s.rubric_title = rubric?.title ?? null;
    for (const b of s.bookings) {
      b.can_check_in = b.assessment === null && !s.cancelled && rubric !== undefined && (b.status === "booked" || b.status === "no-show");
    }
  }
  return copy;
}

/** The booking and its slot, or the refusal the station gives. */
export function target(list: ScheduleList | null, booking: string): { slot: ScheduleSlot; booking: ScheduleBooking } {
  if (list === null) refuse("no_schedule", "no schedule on this station yet: sync once while online");
  for (const slot of list.slots) {
    const b = slot.bookings.find((x) => x.id === booking);
    if (!b) continue;
    if (b.assessment !== null) refuse("already_checked_in", `booking ${booking} was already checked in (assessment ${b.assessment})`);
    if (!b.can_check_in) refuse("booking_closed", `booking ${booking} is ${slot.cancelled ? "in a cancelled slot" : b.status}, so it cannot be checked in`);
    return { slot, booking: b };
  }
  refuse("unknown_booking", `no booking ${booking} in this station's schedule`);
}

/** Records the check-in (reported at the next sync). */
export function checkedIn(b: ScheduleBooking, assessment: string): void {
  b.assessment = assessment;
  b.reported = false;
  b.can_check_in = false;
}

/** A schedule for today around `now`: one open slot with two students, one cancelled slot. */
export function demoSchedule(now: Date, rubrics: readonly Rubric[]): ScheduleList {
  const at = (minutes: number): string => new Date(now.getTime() + minutes * 60_000).toISOString();
  const b = (id: string, student: string, status: string): ScheduleBooking => ({
    id, student, status, assessment: null, reported: false, refused: null, can_check_in: false,
  });
  const rubric = rubrics.find((r) => r.id === "probe-compensation") ?? rubrics[0];
  if (rubric === undefined) throw new Error("the mock station has no rubrics");
  return derive(
    {
      revision: 3,
      server: "https://badges.example.edu",
      fetched_at: now.toISOString(),
      slots: [
        { id: "slot-now", rubric_id: rubric.id, rubric_version: rubric.version, rubric_title: null, starts: at(-5), ends: at(25), capacity: 3, fee_reference: "PAY-2026-17", cancelled: false,
          bookings: [b("booking-1", "S-2026-0101", "booked"), b("booking-2", "S-2026-0102", "no-show"), b("booking-3", "S-2026-0103", "moved")] },
        { id: "slot-cancelled", rubric_id: rubric.id, rubric_version: rubric.version, rubric_title: null, starts: at(40), ends: at(70), capacity: 2, fee_reference: null, cancelled: true,
          bookings: [b("booking-4", "S-2026-0104", "cancelled")] },
      ],
    },
    rubrics,
  );
}
