// Events arrive in bursts from the same day or two: remember the last day formatted.
let cachedDayStart = Number.NaN;
let cachedDay = "";

/** UTC calendar day (`YYYY-MM-DD`) of a millisecond timestamp; throws when it is not a date. */
export function utcDay(ms: number): string {
  // Only non-negative days are cached, where Date's truncation of a fraction stays in the day.
  if (ms >= cachedDayStart && ms < cachedDayStart + DAY_MS) return cachedDay;
  const day = new Date(ms).toISOString().slice(0, 10);
  if (Number.isSafeInteger(ms) && ms >= 0) {
    cachedDayStart = ms - (ms % DAY_MS);
    cachedDay = day;
  }
  return day;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// ISO-8601 date-time; a missing zone means UTC (upstream read it as server-local time).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export interface InstantBound {
  ms: number;
  /** True when the input named a whole day (no time of day). */
  dateOnly: boolean;
}

/** Parses an ISO-8601 date or date-time as UTC; null when it is not one. */
export function parseIsoInstant(text: string): InstantBound | null {
  const value = text.trim();
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(ms) || utcDay(ms) !== value ? null : { ms, dateOnly: true };
  }
  if (!DATE_TIME.test(value)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const ms = Date.parse(hasZone ? value.replace(" ", "T") : `${value.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? null : { ms, dateOnly: false };
}

export const DAY_MS = 86_400_000;
