import type { Db } from "../client";

/**
 * Real traffic across projects, from the daily aggregates (one row per variant and day), not
 * the raw tables: a scrape costs the same with a billion impressions. Simulated traffic has
 * its own aggregate table, so it is never counted here.
 */
export async function realTrafficTotals(
  db: Db,
): Promise<{ impressions: number; opens: number; conversions: number }> {
  const row = await db.$client
    .prepare(
      "SELECT coalesce(sum(impressions), 0) AS impressions, coalesce(sum(opens), 0) AS opens, coalesce(sum(conversions), 0) AS conversions FROM variant_daily_stats",
    )
    .first<{ impressions: number; opens: number; conversions: number }>();
  return row ?? { impressions: 0, opens: 0, conversions: 0 };
}

/** Parked queue messages per queue. */
export async function deadLetterCounts(db: Db): Promise<{ queue: string; n: number }[]> {
  const { results } = await db.$client
    .prepare("SELECT queue, count(*) AS n FROM dead_letters GROUP BY queue")
    .all<{ queue: string; n: number }>();
  return results;
}

/** Push subscriptions across projects by state (deleted, expired, active, disabled). */
export async function subscriptionStateCounts(db: Db): Promise<{ state: string; n: number }[]> {
  const { results } = await db.$client
    .prepare(
      "SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN expired_at IS NOT NULL THEN 'expired' WHEN enabled = 1 THEN 'active' ELSE 'disabled' END AS state, count(*) AS n FROM subscriptions GROUP BY state",
    )
    .all<{ state: string; n: number }>();
  return results;
}
