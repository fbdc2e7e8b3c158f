import { adSyncPausedAt, listSyncRuns } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { CRONS, nextRun } from "../../scheduled/crons";
import { type AdConnection, type AdSyncRun, toSyncRun } from "./lib/types";
import { listChannels } from "./list-channels";

/** How many of the latest runs the status shows; older ones are paged through listSyncRuns. */
export const STATUS_RUNS = 20;

export interface AdSyncStatus {
  schedule: string;
  pausedAt: number | null;
  /** Null while paused or with no channel connected. */
  nextRunAt: number | null;
  connections: AdConnection[];
  runs: AdSyncRun[];
}

/** The hourly schedule, whether it is paused, when it next fires, the channels and the latest runs. */
export async function getSyncStatus({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<AdSyncStatus> {
  const [pausedAt, connections, runs] = await Promise.all([
    adSyncPausedAt(ctx.db, projectId),
    listChannels({ ctx, projectId }),
    listSyncRuns(ctx.db, projectId, STATUS_RUNS),
  ]);
  return {
    schedule: CRONS.adSync,
    pausedAt,
    nextRunAt: pausedAt !== null || connections.length === 0 ? null : nextRun("adSync", ctx.now()),
    connections,
    runs: runs.map(toSyncRun),
  };
}
