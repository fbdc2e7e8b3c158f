import { newId } from "@pushbunny/core";
import { type AnalysisRow, type AnalysisSource, insertAnalysis } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustFind } from "../experiments/lookup";
import { type Analysis, analysisFromRow } from "./analyses";
import { buildSnapshot } from "./snapshot";

/**
 * Builds the snapshot, has the analyst narrate it (validated against the snapshot; the
 * template stands in for any rejected answer) and stores the result.
 */
export async function analyzeExperimentNow({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: {
    experimentId: string;
    source: AnalysisSource;
    /** The sample-ratio input when the allocation periods do not describe the traffic. */
    srm?: { observed: number[]; expected: number[] } | null;
  };
}): Promise<Analysis> {
  // Stamped with the time before the reads: data landing while the LLM writes is newer than
  // the analysis and is picked up by the next run.
  const startedAt = ctx.now();
  const found = await mustFind(ctx, projectId, input.experimentId);
  const snapshot = await buildSnapshot(ctx, {
    experiment: found.experiment,
    variants: found.variants,
    lane: input.source === "simulation" ? "simulated" : "real",
    ...(input.srm !== undefined ? { srm: input.srm } : {}),
  });
  const result = await ctx.analyst.analyze(snapshot);
  if (result.fallbackReason) {
    ctx.logger.warn("analysis narrative fell back to the template", {
      experimentId: input.experimentId,
      reason: result.fallbackReason,
    });
  }
  const row: AnalysisRow = {
    id: newId("ana"),
    projectId,
    experimentId: input.experimentId,
    source: input.source,
    provider: result.provider,
    fallbackReason: result.fallbackReason,
    snapshot,
    report: result.report,
    decision: snapshot.decision.status,
    createdAt: startedAt,
  };
  await insertAnalysis(ctx.db, row);
  return analysisFromRow(row);
}
