import { newId } from "@pushbunny/core";
import { type AnalysisRow, type AnalysisSource, insertAnalysis } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { spendQuota } from "../../ratelimit/quotas";
import { mustFind } from "../experiments/lookup";
import { type Analysis, analysisFromRow } from "./analyses";
import { buildSnapshot } from "./snapshot";

/**
 * An analysis someone asked for (POST …/analyze): counted against the project's hourly
 * analysis quota (429 once spent), which analyses, iterations and simulations share.
 */
export async function analyzeExperiment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string };
}): Promise<Analysis> {
  // Found first, so a wrong id is a 404 that spends nothing.
  await mustFind(ctx, projectId, input.experimentId);
  await spendQuota(ctx, projectId, "analysis");
  return analyzeExperimentNow({
    ctx,
    projectId,
    input: { experimentId: input.experimentId, source: "manual" },
  });
}

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
