import { describe, expect, it } from "vitest";
import { DEMO_PROCTOR, DEMO_PROCTOR_PIN, MockBackend } from "../mock";

describe("the mock schedule", () => {
  it("checks a booked student in once, starting their assessment", async () => {
    const m = new MockBackend({ storage: null, syncIntervalMs: 1_000_000 });
    expect(await m.schedule()).toBeNull();
    await m.startDemo();
    m.loadSchedule("demo");
    await expect(m.checkIn({ booking: "booking-1", consent: true })).rejects.toMatchObject({ code: "not_signed_in" });
    await m.signIn(DEMO_PROCTOR, DEMO_PROCTOR_PIN);
    await expect(m.checkIn({ booking: "booking-3", consent: true })).rejects.toMatchObject({ code: "booking_closed" });
    await expect(m.checkIn({ booking: "nope", consent: true })).rejects.toMatchObject({ code: "unknown_booking" });
    const a = await m.checkIn({ booking: "booking-1", consent: true });
    expect([a.student, a.rubric.id, a.state]).toEqual(["S-2026-0101", "probe-compensation", "running"]);
    const booked = (await m.schedule())?.slots[0]?.bookings[0];
    expect([booked?.assessment, booked?.can_check_in]).toEqual([a.id, false]);
    await expect(m.checkIn({ booking: "booking-1", consent: true })).rejects.toMatchObject({ code: "already_checked_in" });
  });
});
