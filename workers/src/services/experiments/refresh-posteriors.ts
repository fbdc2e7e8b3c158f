import { claimPosteriorRefresh, claimStalePosteriors, type TouchedExperiments } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { refreshExperimentPool } from "../../infra/pool";

/**
 * A Thompson split is republished at most this often per experiment. With the every-minute
 * sweep below, events reach the published posteriors within 60 s of being recorded.
 */
export const POSTERIOR_REFRESH_MS = 30_000;
const SWEEP_LIMIT = 200;

/**
 * After a consumer batch: republish the Thompson splits of the experiments it touched, unless
 * another consumer did within the interval (the sweep then picks up what is left).
 */
export async function refreshPosteriors({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: TouchedExperiments[];
}): Promise<number> {
  let refreshed = 0;
  const now = ctx.now();
  for (const { projectId, experimentIds } of input) {
    const claimed = await claimPosteriorRefresh(ctx.db, {
      projectId,
      experimentIds,
      now,
      minIntervalMs: POSTERIOR_REFRESH_MS,
    });
    for (const experimentId of claimed) {
      await refreshExperimentPool(ctx, projectId, experimentId);
      refreshed++;
    }
  }
  return refreshed;
}

/** Cron: republish every Thompson split whose data is newer than what was published. */
export async function sweepPosteriors({ ctx }: { ctx: AppContext }): Promise<number> {
  const claimed = await claimStalePosteriors(ctx.db, { now: ctx.now(), limit: SWEEP_LIMIT });
  for (const c of claimed) {
    try {
      await refreshExperimentPool(ctx, c.projectId, c.id);
    } catch (err) {
      ctx.logger.error("posterior refresh failed", { experimentId: c.id, error: String(err) });
    }
  }
  return claimed.length;
}
