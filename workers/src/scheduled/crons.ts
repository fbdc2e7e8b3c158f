/** Every Cron Trigger and what it runs. A test checks this table against wrangler.toml. */
export const CRONS = {
  /** Republishes Thompson splits a throttled consumer left stale: posteriors stay ≤ 60 s behind. */
  posteriorSweep: "* * * * *",
  generationSweep: "*/5 * * * *",
  /** Statistics, retirements, promotions and new challengers for experiments with new data. */
  optimisationLoop: "*/15 * * * *",
} as const;

export type CronName = keyof typeof CRONS;
