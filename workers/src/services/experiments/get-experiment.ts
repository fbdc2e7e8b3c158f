import { listHistory } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustFind } from "./lookup";
import { type ExperimentDetail, summarize } from "./summaries";

/** One experiment with its totals, variants and history (newest first). */
export async function getExperiment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const [summaries, history] = await Promise.all([
    summarize(ctx, projectId, [found.experiment]),
    listHistory(ctx.db, projectId, found.experiment.id),
  ]);
  const summary = summaries[0];
  if (!summary) throw new Error(`no summary for ${found.experiment.id}`);
  return { ...summary, variants: found.variants, history };
}
