import { projectsDueForAdSync } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { requestSync } from "./request-sync";

/** Cron: queues one sync per project with connected channels and an unpaused schedule; returns the run ids. */
export async function scheduleAdSyncs({ ctx }: { ctx: AppContext }): Promise<string[]> {
  const projectIds = await projectsDueForAdSync(ctx.db);
  const queued: string[] = [];
  for (const projectId of projectIds) {
    try {
      queued.push((await requestSync({ ctx, projectId, input: { trigger: "schedule" } })).id);
    } catch (err) {
      ctx.logger.error("could not queue the ad sync", { projectId, error: String(err) });
    }
  }
  return queued;
}
