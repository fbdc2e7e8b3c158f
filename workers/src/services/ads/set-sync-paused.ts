import { adSyncPausedAt, setAdSyncPaused } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type AdSyncStatus, getSyncStatus } from "./get-sync-status";

/** Pauses or resumes the project's hourly sync (manual runs still work); returns the new status. */
export async function setSyncPaused({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { paused: boolean };
}): Promise<AdSyncStatus> {
  const now = ctx.now();
  const current = await adSyncPausedAt(ctx.db, projectId);
  // Pausing twice keeps the first pause time; resuming an active schedule changes nothing.
  if (input.paused && current === null) await setAdSyncPaused(ctx.db, { projectId, pausedAt: now, now });
  if (!input.paused && current !== null) await setAdSyncPaused(ctx.db, { projectId, pausedAt: null, now });
  return getSyncStatus({ ctx, projectId });
}
