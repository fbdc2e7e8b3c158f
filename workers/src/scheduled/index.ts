import type { Env } from "../env";
import { buildContext } from "../infra/build-context";
import { scheduleAdSyncs } from "../services/ads/schedule-syncs";
import { runScheduledAnalyses } from "../services/analysis/run-scheduled-analyses";
import { sweepPosteriors } from "../services/experiments/refresh-posteriors";
import { runOptimizationLoop } from "../services/experiments/run-optimization-loop";
import { sweepGenerations } from "../services/experiments/sweep-generations";
import { dispatchDueNotifications, requeueStaleDeliveries } from "../services/notifications";
import { sweepImplementationRuns } from "../services/web-experiments/sweep-runs";
import { pruneWebhookHistoryNow } from "../services/webhooks/prune-history";
import { sweepWebhookDeliveries } from "../services/webhooks/sweep-deliveries";
import { CRONS } from "./crons";

/** Cron entry: look up the job for the firing schedule and run it. */
export async function handleScheduled(
  controller: ScheduledController,
  env: Env,
  ctx: ExecutionContext,
): Promise<void> {
  const app = buildContext(env, (p) => ctx.waitUntil(p), { cron: controller.cron });
  switch (controller.cron) {
    case CRONS.everyMinute:
      // Scheduled pushes go out within a minute of their time.
      await Promise.all([
        sweepPosteriors({ ctx: app }),
        dispatchDueNotifications({ ctx: app }),
        requeueStaleDeliveries({ ctx: app }),
        sweepWebhookDeliveries({ ctx: app }),
      ]);
      return;
    case CRONS.generationSweep:
      // Also fails implementation runs whose job went quiet for 15 minutes.
      await Promise.all([sweepGenerations({ ctx: app }), sweepImplementationRuns({ ctx: app })]);
      return;
    case CRONS.optimizationLoop:
      await runOptimizationLoop({ ctx: app });
      return;
    case CRONS.adSync:
      await Promise.all([scheduleAdSyncs({ ctx: app }), pruneWebhookHistoryNow({ ctx: app })]);
      return;
    case CRONS.experimentAnalysis:
      await runScheduledAnalyses({ ctx: app });
      return;
    default:
      app.logger.warn("unknown cron", { cron: controller.cron });
  }
}
