import { describe, expect, it } from "vitest";
import type { ScheduleBooking, ScheduleSlot } from "./backend/types";
import { slotRow } from "./schedule";

const booking = (id: string, status: string, extra: Partial<ScheduleBooking> = {}): ScheduleBooking => ({
  id,
  student: `S-${id}`,
  status,
  assessment: null,
  reported: false,
  refused: null,
  can_check_in: status === "booked" || status === "no-show",
  ...extra,
});

const slot = (extra: Partial<ScheduleSlot> = {}): ScheduleSlot => ({
  id: "slot-1",
  rubric_id: "probe-compensation",
  rubric_version: "1.0.0",
  rubric_title: "Passive probe compensation",
  starts: new Date(2030, 0, 10, 9, 0).toISOString(),
  ends: new Date(2030, 0, 10, 9, 30).toISOString(),
  capacity: 4,
  fee_reference: null,
  cancelled: false,
  bookings: [
    booking("a", "booked"),
    booking("b", "no-show"),
    booking("c", "moved"),
    booking("d", "booked", { assessment: "A-1", can_check_in: false }),
    booking("e", "booked", { assessment: "A-2", reported: true, can_check_in: false }),
  ],
  ...extra,
});

describe("today's slots", () => {
  it("counts places, hides moved bookings and says what each booking can do", () => {
    const row = slotRow(slot());
    expect(row.time).toBe("09:00–09:30");
    expect(row.places).toBe("4 of 4 places booked");
    expect(row.blocked).toBeNull();
    expect(row.bookings.map((b) => [b.id, b.canCheckIn])).toEqual([
      ["a", true],
      ["b", true],
      ["d", false],
      ["e", false],
    ]);
    expect(row.bookings.map((b) => b.state)).toEqual([
      "Booked",
      "Marked no-show (can still be checked in)",
      "Checked in (reported at the next sync)",
      "Checked in (recorded by the department)",
    ]);
  });

  it("explains why nobody can be checked in", () => {
    expect(slotRow(slot({ cancelled: true })).places).toBe("cancelled");
    expect(slotRow(slot({ cancelled: true })).blocked).toContain("cancelled");
    const missing = slotRow(slot({ rubric_title: null }));
    expect(missing.rubric).toBe("probe-compensation 1.0.0");
    expect(missing.blocked).toContain("does not have rubric probe-compensation 1.0.0");
  });
});
