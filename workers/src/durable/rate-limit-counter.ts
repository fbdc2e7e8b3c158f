import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface CounterState {
  success: boolean;
  limit: number;
  /** Left in this window after this call (0 when refused). */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface LeaseState extends CounterState {
  /** Tokens handed out by this call (0 when the window is spent). */
  granted: number;
}

interface Window {
  start: number;
  count: number;
}

/**
 * Exact counters for the limits an isolate cannot keep alone: hourly quotas, login failures,
 * per-project budgets. One object per counter key (idFromName), so keys never contend; a call
 * runs alone in the object, so counts are exact. Windows are fixed and open at the first hit.
 */
export class RateLimitCounter extends DurableObject<Env> {
  private window: Window | null = null;
  private loaded = false;

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.window = (await this.ctx.storage.get<Window>("w")) ?? null;
    this.loaded = true;
  }

  /** Adds `cost` unless that would pass `limit`; refused calls count nothing. */
  async hit(limit: number, windowMs: number, cost: number, now: number): Promise<CounterState> {
    await this.load();
    let w = this.window;
    if (!w || now >= w.start + windowMs) w = { start: now, count: 0 };
    const resetMs = Math.max(0, w.start + windowMs - now);
    if (w.count + cost > limit) {
      this.window = w;
      return { success: false, limit, remaining: Math.max(0, limit - w.count), resetMs };
    }
    w.count += cost;
    this.window = w;
    // Not awaited: the output gate holds the reply until the write is durable.
    void this.ctx.storage.put("w", w);
    void this.ctx.storage.setAlarm(w.start + windowMs + 60_000);
    return { success: true, limit, remaining: limit - w.count, resetMs };
  }

  /**
   * Grants up to `want` of what is left in the window (an isolate's block of tokens, see
   * ratelimit/leased.ts): `granted` may be less than asked, and 0 once the window is spent.
   */
  async lease(limit: number, windowMs: number, want: number, now: number): Promise<LeaseState> {
    await this.load();
    let w = this.window;
    if (!w || now >= w.start + windowMs) w = { start: now, count: 0 };
    const granted = Math.max(0, Math.min(want, limit - w.count));
    w.count += granted;
    this.window = w;
    if (granted > 0) {
      void this.ctx.storage.put("w", w);
      void this.ctx.storage.setAlarm(w.start + windowMs + 60_000);
    }
    return {
      success: granted > 0,
      granted,
      limit,
      remaining: Math.max(0, limit - w.count),
      resetMs: Math.max(0, w.start + windowMs - now),
    };
  }

  /** The window's state without counting. */
  async peek(limit: number, windowMs: number, now: number): Promise<CounterState> {
    await this.load();
    const w = this.window;
    if (!w || now >= w.start + windowMs) return { success: true, limit, remaining: limit, resetMs: 0 };
    const resetMs = w.start + windowMs - now;
    return { success: w.count < limit, limit, remaining: Math.max(0, limit - w.count), resetMs };
  }

  async reset(): Promise<void> {
    this.window = null;
    this.loaded = true;
    await this.ctx.storage.deleteAll();
  }

  /** An idle counter deletes itself, so per-IP and per-email keys leave no storage behind. */
  override async alarm(): Promise<void> {
    await this.reset();
  }
}
