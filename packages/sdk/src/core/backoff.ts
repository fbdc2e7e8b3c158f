/**
 * "Full jitter" exponential backoff: a uniform draw in [0, min(cap, base·2^attempt)). Spreading
 * retries over the whole window keeps a fleet of clients that failed together from coming back
 * together (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** A Retry-After header (delay seconds or an HTTP date) as milliseconds from `now`, or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
