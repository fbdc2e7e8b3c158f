import type { Env } from "../env";
import type { Decision } from "./leased";
import type { RouteClass } from "./rules";

/** Requests of one bucket an isolate lets through per consultation of the binding. */
export const FLOOD_SAMPLE = 50;

/** The hot classes' bindings (wrangler.toml [[ratelimits]]) and their limits in consultations a minute. */
export const FLOOD_CEILINGS = {
  message: { binding: "RL_MESSAGE", limit: 2_400 },
  events: { binding: "RL_EVENTS", limit: 1_200 },
  subscription: { binding: "RL_SUBSCRIPTION", limit: 1_200 },
} as const satisfies Partial<Record<RouteClass, { binding: keyof Env; limit: number }>>;

export type FloodClass = keyof typeof FLOOD_CEILINGS;
export const isFloodClass = (cls: RouteClass): cls is FloodClass => cls in FLOOD_CEILINGS;

/** The binding's period: 60 s (the binding accepts 10 or 60). */
export const FLOOD_PERIOD_MS = 60_000;

/** A class's ceiling in requests a minute, as the headers and the ADR state it. */
export const floodCeiling = (cls: FloodClass) => FLOOD_CEILINGS[cls].limit * FLOOD_SAMPLE;

const ALLOW: Decision = { success: true, resetMs: 0, remaining: -1 };

/**
 * The flood ceiling per API key (or person) and per client IP for the hot classes, on the
 * Workers Rate Limiting binding: approximate, per Cloudflare location, and independent of any
 * project's configuration, so it holds even before a project's limits are known.
 *
 * A binding call is cheap in production but, in `wrangler dev` and the vitest pool, a round trip
 * to a simulator object that costs about half a `/health` request. So an isolate consults the
 * binding once per FLOOD_SAMPLE requests of a bucket, and each consultation stands for that many
 * requests (the `delta` option the runtime types know would say so directly, but the local
 * simulator refuses it). Once the binding says no, the isolate refuses the bucket locally until
 * the binding's minute ends.
 */
export class FloodGate {
  private readonly buckets = new Map<string, { n: number; blockedUntil: number }>();

  constructor(private readonly maxEntries = 20_000) {}

  /** Counts one request of `key`; consults the binding on every FLOOD_SAMPLE-th. */
  check(binding: RateLimit, key: string, now: number): Decision | Promise<Decision> {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxEntries) this.buckets.clear();
      b = { n: 0, blockedUntil: 0 };
      this.buckets.set(key, b);
    }
    if (now < b.blockedUntil) return { success: false, resetMs: b.blockedUntil - now, remaining: 0 };
    if (b.n++ % FLOOD_SAMPLE !== 0) return ALLOW;
    const bucket = b;
    return binding.limit({ key }).then(({ success }) => {
      if (success) return ALLOW;
      // The binding's windows are fixed minutes; refuse until this one ends.
      bucket.blockedUntil = (Math.floor(now / FLOOD_PERIOD_MS) + 1) * FLOOD_PERIOD_MS;
      return { success: false, resetMs: bucket.blockedUntil - now, remaining: 0 };
    });
  }

  clear(): void {
    this.buckets.clear();
  }
}
