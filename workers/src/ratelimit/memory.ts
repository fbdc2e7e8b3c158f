import type { RateLimiter, RateLimitResult, RateLimitRule } from "./interface";

// Keys are attacker-chosen (IPs, project ids): past this many the expired windows are dropped,
// and if that is not enough the oldest half goes, so memory stays bounded.
const MAX_KEYS = 20_000;

/**
 * A fixed-window counter in isolate memory, each key's window opening at its first request. Each isolate counts on its own, so the effective
 * limit is per isolate: a first line against floods from one address, not an exact quota.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number; windowMs: number }>();

  async limit(key: string, rule: RateLimitRule, now: number): Promise<RateLimitResult> {
    let w = this.windows.get(key);
    // A key's window opens at its first request (not on the clock's minute), so a burst is
    // counted whole instead of being split across a boundary it happens to straddle.
    if (!w || now >= w.start + w.windowMs) {
      if (!w && this.windows.size >= MAX_KEYS) this.sweep(now);
      w = { start: now, count: 0, windowMs: rule.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= rule.limit) return { success: true, retryAfterMs: 0 };
    return { success: false, retryAfterMs: w.start + w.windowMs - now };
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.start + w.windowMs <= now) this.windows.delete(k);
    if (this.windows.size < MAX_KEYS) return;
    let drop = Math.floor(this.windows.size / 2);
    for (const k of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(k);
    }
  }
}
