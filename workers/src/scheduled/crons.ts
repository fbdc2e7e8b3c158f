/** Every Cron Trigger and what it runs. A test checks this table against wrangler.toml. */
export const CRONS = {
  generationSweep: "*/5 * * * *",
} as const;

export type CronName = keyof typeof CRONS;
