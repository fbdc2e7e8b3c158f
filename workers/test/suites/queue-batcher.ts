import { describe, expect, it } from "vitest";
import { BATCH_WINDOW_MS, enqueueBatched } from "../../src/infra/queue-batcher";

function fakeQueue(fail = false) {
  const sends: unknown[][] = [];
  const queue = {
    sendBatch: async (messages: { body: unknown }[]) => {
      sends.push(messages.map((m) => m.body));
      if (fail) throw new Error("queue down");
    },
  } as unknown as Queue<unknown>;
  return { queue, sends };
}

/** One waitUntil per simulated request, so the test can see who owns which send. */
function request() {
  const owned: Promise<unknown>[] = [];
  return { waitUntil: (p: Promise<unknown>) => owned.push(p), owned };
}

describe("enqueueBatched", () => {
  it("sends the messages of one window as one batch, owned by the request that opened it", async () => {
    const { queue, sends } = fakeQueue();
    const requests = Array.from({ length: 5 }, () => request());
    for (const [i, r] of requests.entries()) enqueueBatched(queue, { n: i }, r.waitUntil, () => {});
    expect(requests.map((r) => r.owned.length)).toEqual([1, 0, 0, 0, 0]);
    expect(sends).toEqual([]);
    await Promise.all(requests[0]!.owned);
    expect(sends).toEqual([[{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]]);
    // The next message opens a new window.
    const next = request();
    enqueueBatched(queue, { n: 5 }, next.waitUntil, () => {});
    await Promise.all(next.owned);
    expect(sends).toHaveLength(2);
  });

  it("sends a full batch at once from the request that filled it; the opener's timer does nothing", async () => {
    const { queue, sends } = fakeQueue();
    const opener = request();
    enqueueBatched(queue, 0, opener.waitUntil, () => {});
    const filler = request();
    for (let i = 1; i < 100; i++) enqueueBatched(queue, i, filler.waitUntil, () => {});
    expect(filler.owned).toHaveLength(1);
    await Promise.all(filler.owned);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toHaveLength(100);
    await Promise.all(opener.owned);
    expect(sends).toHaveLength(1);
    // A message after the full batch starts a new one rather than joining the sent batch.
    const late = request();
    enqueueBatched(queue, 100, late.waitUntil, () => {});
    await Promise.all(late.owned);
    expect(sends[1]).toEqual([100]);
  });

  it("reports a failed send with how many messages it carried", async () => {
    const { queue } = fakeQueue(true);
    const failures: number[] = [];
    const r = request();
    enqueueBatched(queue, "a", r.waitUntil, (_err, count) => failures.push(count));
    enqueueBatched(
      queue,
      "b",
      () => {},
      (_err, count) => failures.push(count),
    );
    const started = Date.now();
    await Promise.all(r.owned);
    expect(Date.now() - started).toBeGreaterThanOrEqual(BATCH_WINDOW_MS - 5);
    expect(failures).toEqual([2]);
  });
});
