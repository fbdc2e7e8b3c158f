import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

const KEY = "next";
export const MAX_LEASE = 1024;

/**
 * The round-robin counter of one experiment. A Durable Object runs one call at a time, so
 * leases never overlap: two isolates leasing concurrently get disjoint, consecutive ranges.
 */
export class RoundRobinCounter extends DurableObject<Env> {
  private next = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.next = (await ctx.storage.get<number>(KEY)) ?? 0;
    });
  }

  /** Reserves `count` sequence numbers and returns the first. */
  async lease(count: number): Promise<number> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_LEASE) {
      throw new RangeError(`lease count must be an integer in 1..${MAX_LEASE}`);
    }
    const start = this.next;
    this.next += count;
    // Not awaited on purpose: the output gate holds the reply until the write is durable,
    // and the in-memory counter already orders concurrent calls.
    void this.ctx.storage.put(KEY, this.next);
    return start;
  }

  /** The next unleased sequence number (for tests and diagnostics). */
  async peek(): Promise<number> {
    return this.next;
  }
}
