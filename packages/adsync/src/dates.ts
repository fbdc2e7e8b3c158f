import { AdSyncError } from "./errors";
import type { Channel, DateRange } from "./types";

/** The longest range one fetchMetrics call accepts: a quarter, which keeps every channel's report synchronous. */
export const MAX_RANGE_DAYS = 93;

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Milliseconds at UTC midnight of a YYYY-MM-DD day, or undefined if it is not a real calendar day. */
export function parseDay(value: unknown): number | undefined {
  if (typeof value !== "string" || !DAY_PATTERN.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March; the round trip catches it.
  return Number.isNaN(ms) || formatDay(ms) !== value ? undefined : ms;
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const ms = parseDay(day);
  if (ms === undefined) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  return formatDay(ms + days * DAY_MS);
}

/** Every day from since to until, inclusive. */
export function daysIn(range: DateRange): string[] {
  const days: string[] = [];
  for (let day = range.since; day <= range.until; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Consecutive sub-ranges of at most maxDays days covering range. */
export function splitRange(range: DateRange, maxDays: number): DateRange[] {
  const parts: DateRange[] = [];
  for (let since = range.since; since <= range.until; since = addDays(since, maxDays)) {
    const end = addDays(since, maxDays - 1);
    // String comparison orders YYYY-MM-DD days; Math.min would turn them into NaN.
    parts.push({ since, until: [end, range.until].sort()[0] as string });
  }
  return parts;
}

/** The range, checked: real days, since ≤ until, at most MAX_RANGE_DAYS days. Throws a "config" AdSyncError. */
export function checkRange(channel: Channel, range: unknown): DateRange {
  const r = (typeof range === "object" && range !== null ? range : {}) as Partial<
    Record<keyof DateRange, unknown>
  >;
  const since = parseDay(r.since);
  const until = parseDay(r.until);
  if (since === undefined || until === undefined) {
    throw new AdSyncError("config", channel, "date range needs since and until as YYYY-MM-DD calendar days");
  }
  if (since > until) {
    throw new AdSyncError("config", channel, `date range since ${r.since} is after until ${r.until}`);
  }
  const days = (until - since) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new AdSyncError(
      "config",
      channel,
      `date range spans ${days} days; at most ${MAX_RANGE_DAYS} per call, split it`,
    );
  }
  return { since: r.since as string, until: r.until as string };
}
