/** UTC calendar day (`YYYY-MM-DD`) of a millisecond timestamp. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
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
