/** How long an isolate gathers messages before sending them as one batch. */
export const BATCH_WINDOW_MS = 50;
// Queues take at most 100 messages and 256 KB per sendBatch.
const MAX_MESSAGES = 100;

interface Pending<T> {
  bodies: T[];
  flush: () => Promise<void>;
}

const pending = new WeakMap<Queue<unknown>, Pending<unknown>>();

/**
 * Sends small messages (one impression per served message) in batches: a queue send per
 * request costs more than the rest of the warm path. The request that opens a batch owns it:
 * its `waitUntil` keeps the isolate alive until the batch is sent, so later requests only
 * append plain data and never wait on another request's I/O (which Workers forbid).
 */
export function enqueueBatched<T>(
  queue: Queue<unknown>,
  body: T,
  waitUntil: (p: Promise<unknown>) => void,
  onError: (err: unknown, count: number) => void,
): void {
  const open = pending.get(queue) as Pending<T> | undefined;
  if (open) {
    open.bodies.push(body);
    if (open.bodies.length >= MAX_MESSAGES) {
      // Full: this request sends it now, under its own waitUntil; the opener's timer then
      // finds it sent and does nothing.
      waitUntil(open.flush());
    }
    return;
  }
  let sent = false;
  const batch: Pending<T> = {
    bodies: [body],
    // Whoever flushes first sends and awaits only its own I/O; later calls return at once.
    flush: async () => {
      if (sent) return;
      sent = true;
      if (pending.get(queue) === batch) pending.delete(queue);
      try {
        await queue.sendBatch(batch.bodies.map((b) => ({ body: b })));
      } catch (err) {
        onError(err, batch.bodies.length);
      }
    },
  };
  pending.set(queue, batch);
  waitUntil(new Promise((r) => setTimeout(r, BATCH_WINDOW_MS)).then(batch.flush));
}
