import { describe, expect, it } from "vitest";
import { SequenceLeaser } from "../src/sequence";

function counter() {
  let next = 0;
  const calls: number[] = [];
  return {
    calls,
    lease: async (n: number) => {
      calls.push(n);
      const start = next;
      next += n;
      return start;
    },
  };
}

describe("SequenceLeaser", () => {
  it("hands out distinct consecutive numbers under concurrency, leaving no gaps", async () => {
    const c = counter();
    const leaser = new SequenceLeaser(c.lease, { now: () => 0 });
    const got = await Promise.all(Array.from({ length: 200 }, () => leaser.next()));
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Every number leased was used: exact rotation.
    expect(c.calls.reduce((a, b) => a + b, 0)).toBe(200);
  });

  it("grows blocks while they are used up quickly, so a busy isolate rarely calls the DO", async () => {
    const c = counter();
    const leaser = new SequenceLeaser(c.lease, { now: () => 0 });
    for (let i = 0; i < 1000; i++) expect(await leaser.next()).toBe(i);
    expect(c.calls.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(c.calls.length).toBeLessThan(12);
  });

  it("caps the block size", async () => {
    const c = counter();
    const leaser = new SequenceLeaser(c.lease, { now: () => 0, maxBlock: 8 });
    for (let i = 0; i < 100; i++) await leaser.next();
    expect(Math.max(...c.calls)).toBe(8);
  });

  it("drops back to the minimum block when traffic is slow", async () => {
    const c = counter();
    let t = 0;
    const leaser = new SequenceLeaser(c.lease, { now: () => t, growWithinMs: 1_000 });
    for (let i = 0; i < 15; i++) await leaser.next(); // blocks 1,2,4,8
    t += 5_000;
    for (let i = 0; i < 17; i++) await leaser.next();
    // The first lease after the pause starts over at one number, then grows again.
    expect(c.calls).toEqual([1, 2, 4, 8, 1, 2, 4, 8, 16]);
  });

  it("abandons a stale block so idle isolates do not hold numbers back", async () => {
    const c = counter();
    let t = 0;
    const leaser = new SequenceLeaser(c.lease, { now: () => t, minBlock: 4, staleAfterMs: 10_000 });
    expect(await leaser.next()).toBe(0);
    t += 20_000;
    expect(await leaser.next()).toBe(4);
  });

  it("propagates a lease failure and recovers on the next call", async () => {
    let fail = true;
    const leaser = new SequenceLeaser(async () => {
      if (fail) throw new Error("down");
      return 100;
    });
    await expect(leaser.next()).rejects.toThrow("down");
    fail = false;
    expect(await leaser.next()).toBe(100);
  });
});
