/** Every Cron Trigger and what it runs. A test checks this table against wrangler.toml. */
export const CRONS = {
  /**
   * Three jobs: republishes Thompson splits a throttled consumer left stale (posteriors stay
   * ≤ 60 s behind), sends scheduled notifications that are due, and re-queues push batches whose
   * queue message was lost. Also sends outbound webhook deliveries left due for over a minute.
   */
  everyMinute: "* * * * *",
  /**
   * Re-queues challenger generation that went quiet for 15 minutes; fails it after three tries.
   * Fails implementation runs (the GitHub agent) whose heartbeat went quiet for 15 minutes.
   */
  generationSweep: "*/5 * * * *",
  /** Statistics, retirements, promotions and new challengers for experiments with new data. */
  optimizationLoop: "*/15 * * * *",
  /**
   * Pulls campaign metrics from every connected ad channel of every unpaused project, and drops
   * webhook deliveries and Resend event receipts older than 30 days.
   */
  adSync: "0 * * * *",
  /**
   * LLM narratives for experiments with new data; ANALYSIS_INTERVAL_HOURS spaces them further.
   * Half past, so it never competes with the ad sync for the same minute.
   */
  experimentAnalysis: "30 * * * *",
} as const;

export type CronName = keyof typeof CRONS;

const MINUTE_MS = 60_000;

/**
 * The minutes of the hour a cron expression fires at. Only the shapes this table uses are
 * understood (`*`, `*\/N`, or a minute, then `* * * *`): anything else throws, so a new kind of
 * schedule cannot silently report a wrong next run.
 */
function minutesOf(expression: string): number[] {
  const [minute, ...rest] = expression.trim().split(/\s+/);
  if (rest.length !== 4 || rest.some((field) => field !== "*")) {
    throw new Error(`cron '${expression}': only minute-of-hour schedules are understood`);
  }
  if (minute === "*") return Array.from({ length: 60 }, (_, m) => m);
  const step = /^\*\/(\d{1,2})$/.exec(minute ?? "");
  if (step) {
    const n = Number(step[1]);
    if (n < 1 || n > 59) throw new Error(`cron '${expression}': bad step`);
    return Array.from({ length: 60 }, (_, m) => m).filter((m) => m % n === 0);
  }
  if (/^\d{1,2}$/.test(minute ?? "") && Number(minute) < 60) return [Number(minute)];
  throw new Error(`cron '${expression}': unsupported minute field '${minute}'`);
}

/** When the named cron next fires strictly after `now` (Unix ms, UTC). */
export function nextRun(name: CronName, now: number): number {
  const minutes = minutesOf(CRONS[name]);
  const startOfMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  for (let ahead = 1; ahead <= 60; ahead++) {
    const at = startOfMinute + ahead * MINUTE_MS;
    if (minutes.includes(new Date(at).getUTCMinutes())) return at;
  }
  throw new Error(`cron ${name} never fires`);
}
