import type { LeaseState } from "./exact";

/** What one request learns from a budget: allowed or not, what is left, when the window resets. */
export interface Decision {
  success: boolean;
  /** Milliseconds until the budget's window resets (0 when unknown). */
  resetMs: number;
  /**
   * Left in the window as this isolate knows it: the object's count at the last lease plus the
   * tokens this isolate still holds (exact while one isolate serves the budget). -1: unknown.
   */
  remaining: number;
}

/** Takes up to `want` tokens from the budget's Durable Object. */
export type LeaseFn = (want: number) => Promise<LeaseState>;

// A block used up within this long means traffic is high: lease twice as many next time.
const GROW_WITHIN_MS = 1_000;
const MAX_BLOCK = 256;
// At most 1/32 of a window's budget sits unspent in one isolate: a budget spread over many
// isolates can be refused that much early per isolate, never late.
const BLOCK_SHARE = 32;

/**
 * One budget's tokens as this isolate holds them. The RateLimitCounter Durable Object owns the
 * exact count; the isolate leases blocks from it and spends them locally, so a warm request
 * costs a decrement, not a round trip (the rotation's pattern, docs/adr/0001). Blocks start at
 * one token and double while they are used up within a second, up to 1/32 of the limit: slow
 * traffic and small budgets (under 64) are counted one request per call, exactly; bursts on
 * large budgets cost one call per block.
 *
 * Never over the limit: every token served was counted by the object, and tokens are dropped
 * when the object's window ends. Once the object answers that the window is spent, the isolate
 * refuses locally until it resets, so a flood of 429s costs nothing either.
 *
 * Workers forbid one request from awaiting another's I/O, so requests never wait on a shared
 * refill: while one request refills, the others lease one token each.
 */
export class TokenLeaser {
  private tokens = 0;
  private left = 0;
  private resetAt = 0;
  private spent = false;
  private block = 1;
  private leasedAt = 0;
  private refilling = false;
  private readonly maxBlock: number;
  private readonly lease: LeaseFn;

  constructor(lease: LeaseFn, limit: number) {
    this.lease = lease;
    this.maxBlock = Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / BLOCK_SHARE)));
  }

  /**
   * Spends one token; leases more when the block is empty. With `background` (the request's
   * waitUntil), a block half spent is topped up ahead of need, off the request's path: under
   * concurrent load a block that ran dry would otherwise send every request in flight to the
   * object for a token of its own while the refill is on its way.
   */
  async take(now: number, background?: (work: Promise<unknown>) => void): Promise<Decision> {
    if (now >= this.resetAt) {
      this.tokens = 0;
      this.spent = false;
    }
    if (this.tokens > 0) {
      this.tokens--;
      if (background && this.maxBlock > 1 && !this.refilling && !this.spent && this.tokens * 2 < this.block) {
        this.prefetch(now, background);
      }
      return { success: true, resetMs: this.resetAt - now, remaining: this.left + this.tokens };
    }
    if (this.spent) return { success: false, resetMs: this.resetAt - now, remaining: 0 };
    if (this.refilling) {
      // Requests in flight while the block refills: load is high, so each leases a whole block
      // (the block also grows) rather than one token, and the next wave finds tokens in hand.
      const want = this.block;
      this.block = Math.min(this.maxBlock, this.block * 2);
      const state = await this.lease(want);
      this.tokens += Math.max(0, state.granted - 1);
      return this.settle(state, now);
    }
    this.refilling = true;
    try {
      const quick = now - this.leasedAt <= GROW_WITHIN_MS;
      this.block = quick ? Math.min(this.maxBlock, this.block * 2) : 1;
      const state = await this.lease(this.block);
      this.leasedAt = now;
      this.tokens = Math.max(0, state.granted - 1);
      return this.settle(state, now);
    } finally {
      this.refilling = false;
    }
  }

  /** Leases the next block while tokens remain; they join the block when the object answers. */
  private prefetch(now: number, background: (work: Promise<unknown>) => void): void {
    this.refilling = true;
    if (now - this.leasedAt <= GROW_WITHIN_MS) this.block = Math.min(this.maxBlock, this.block * 2);
    this.leasedAt = now;
    const windowEnd = this.resetAt;
    background(
      this.lease(this.block)
        .then((state) => {
          const resetAt = now + state.resetMs;
          // Tokens of a window that has ended were counted there, not in the new one: drop them.
          this.tokens = resetAt > windowEnd + 1_000 ? state.granted : this.tokens + state.granted;
          this.resetAt = resetAt;
          this.left = state.remaining;
          if (state.remaining <= 0) this.spent = true;
        })
        // A failed top-up only means the next empty block leases on the request's path.
        .catch(() => {})
        .finally(() => {
          this.refilling = false;
        }),
    );
  }

  private settle(state: LeaseState, now: number): Decision {
    this.resetAt = now + state.resetMs;
    this.left = state.remaining;
    if (state.remaining <= 0) this.spent = true;
    return {
      success: state.granted > 0,
      resetMs: state.resetMs,
      remaining: state.granted > 0 ? this.left + this.tokens : 0,
    };
  }
}

/** This isolate's leasers by budget key; bounded, since keys include client IPs. */
export class LeaserPool {
  private readonly leasers = new Map<string, TokenLeaser>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, limit: number, lease: () => LeaseFn): TokenLeaser {
    let leaser = this.leasers.get(key);
    if (!leaser) {
      if (this.leasers.size >= this.maxEntries) this.leasers.clear();
      leaser = new TokenLeaser(lease(), limit);
      this.leasers.set(key, leaser);
    }
    return leaser;
  }

  clear(): void {
    this.leasers.clear();
  }
}
