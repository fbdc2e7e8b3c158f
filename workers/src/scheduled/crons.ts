/** Every Cron Trigger and what it runs. A test checks this table against wrangler.toml. */
export const CRONS = {
  /**
   * Republishes Thompson splits a throttled consumer left stale (posteriors stay ≤ 60 s behind),
   * and queues scheduled notifications that are due.
   */
  posteriorSweep: "* * * * *",
  generationSweep: "*/5 * * * *",
  /** Statistics, retirements, promotions and new challengers for experiments with new data. */
  optimisationLoop: "*/15 * * * *",
  /** Pulls campaign metrics from every connected ad channel of every unpaused project. */
  adSync: "0 * * * *",
  /**
   * LLM narratives for experiments with new data; ANALYSIS_INTERVAL_HOURS spaces them further.
   * Half past, so it never competes with the ad sync for the same minute.
   */
  experimentAnalysis: "30 * * * *",
} as const;

export type CronName = keyof typeof CRONS;
