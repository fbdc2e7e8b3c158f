/**
 * Wall-clock times in IANA zones, with Intl only (workerd ships full ICU data).
 *
 * A local time that does not exist (the hour skipped when clocks go forward) moves forward by the
 * length of the gap: 02:30 on the night New York skips 02:00–03:00 is 03:30 EDT. A local time that
 * happens twice (clocks go back) is its first occurrence: 01:30 on that night is 01:30 EDT. Both
 * rules are deterministic, so every recipient in a zone gets the same instant.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    if (formatters.size > 1_000) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** The canonical IANA name (`europe/paris` → `Europe/Paris`), or null for a zone Intl does not know. */
export function canonicalZone(zone: string): string | null {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The zone's offset from UTC at `instant`, in ms (east positive). */
export function offsetAt(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  // Sub-second precision is lost in the parts; offsets are whole minutes anyway.
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** `YYYY-MM-DDTHH:mm` (seconds optional and ignored if :00), checked as a real calendar date. */
export const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::00)?$/;

/** The wall-clock time as if it were UTC (ms), or null when it is not a real date and time. */
export function parseLocalTime(local: string): number | null {
  const m = LOCAL_TIME.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

const DAY_MS = 86_400_000;

/**
 * The instant the wall-clock `local` (from parseLocalTime) happens in `zone`. Offsets a day either
 * side bracket any transition (zones change at most twice a year), so the candidates are exact.
 */
export function zonedInstant(local: number, zone: string): number {
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  const valid = [...new Set([before, after])]
    .map((offset) => local - offset)
    .filter((instant) => local - offsetAt(zone, instant) === instant)
    .sort((a, b) => a - b);
  // The earliest: the first of a repeated hour. None: a skipped hour, moved forward by the gap.
  return valid[0] ?? local - before;
}

/** UTC+14 (Line Islands) and UTC−12 (Baker Island): a local time happens first and last there. */
export const EARLIEST_OFFSET_MS = 14 * 3_600_000;
export const LATEST_OFFSET_MS = -12 * 3_600_000;
