import { utcDay } from "@pushbunny/core";

const DAY_MS = 86_400_000;

/** The UTC days from `fromMs` to `toMs`, both included, as YYYY-MM-DD. */
export function daysOf(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${utcDay(fromMs)}T00:00:00Z`); t <= toMs; t += DAY_MS) out.push(utcDay(t));
  return out;
}

/** n / d to four decimals, null when nothing was attempted. */
export const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1e4) / 1e4 : null);
