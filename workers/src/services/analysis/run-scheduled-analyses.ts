import { experimentsDueForReport } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { analyzeExperimentNow } from "./analyze-experiment";

const HOUR_MS = 3_600_000;
/** Experiments narrated per cron run; the rest wait for the next hour. */
const REPORT_BATCH = 25;

/**
 * Cron: narrates running experiments that got real data since their last analysis and whose
 * last analysis is at least the configured interval old. One failure does not stop the rest.
 */
export async function runScheduledAnalyses({ ctx }: { ctx: AppContext }): Promise<{
  analyzed: string[];
  failed: string[];
}> {
  const due = await experimentsDueForReport(ctx.db, {
    now: ctx.now(),
    minAgeMs: ctx.config.analysisIntervalHours * HOUR_MS,
    limit: REPORT_BATCH,
  });
  const analyzed: string[] = [];
  const failed: string[] = [];
  for (const e of due) {
    try {
      await analyzeExperimentNow({
        ctx,
        projectId: e.projectId,
        input: { experimentId: e.id, source: "scheduled" },
      });
      analyzed.push(e.id);
    } catch (err) {
      failed.push(e.id);
      ctx.logger.error("scheduled analysis failed", { experimentId: e.id, error: String(err) });
    }
  }
  if (due.length > 0)
    ctx.logger.info("scheduled analyses", { analyzed: analyzed.length, failed: failed.length });
  return { analyzed, failed };
}
