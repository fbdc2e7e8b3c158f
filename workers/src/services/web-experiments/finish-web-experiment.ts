import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { Analysis } from "../analysis/analyses";
import { analyzeExperimentNow } from "../analysis/analyze-experiment";
import { getWebResults, type WebResults } from "./get-web-results";
import type { WebExperimentRef } from "./lib/lookup";
import { transition } from "./lib/transition";

export interface FinishedWebExperiment {
  experiment: WebExperimentRow;
  analysis: Analysis;
  results: WebResults;
}

/**
 * active → finished: the SDK stops assigning segments at its next refresh (exposures are
 * refused at once), and the engine's analysis runs on the final numbers. A finish happens once
 * per experiment, so it does not spend the project's hourly analysis quota.
 */
export async function finishWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: WebExperimentRef & { reason?: string | null };
}): Promise<FinishedWebExperiment> {
  const experiment = await transition(ctx, {
    projectId,
    actor,
    ref: input,
    from: ["active"],
    to: "finished",
    set: { finishedAt: ctx.now() },
    reason: input.reason ?? null,
    action: "web_experiment.finished",
  });
  const analysis = await analyzeExperimentNow({
    ctx,
    projectId,
    input: { experimentId: experiment.experimentId, source: "manual" },
  });
  const results = await getWebResults({ ctx, projectId, input: { experimentId: experiment.experimentId } });
  return { experiment, analysis, results };
}
