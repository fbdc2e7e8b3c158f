import { newId } from "@pushbunny/core";
import { insertProposal, latestAnalysis, type ProposalRow } from "@pushbunny/db";
import { type AnalysisSnapshot, isLlmError, validateCandidates } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { ConflictError, ServiceUnavailableError } from "../../errors";
import { spendQuota } from "../../ratelimit/quotas";
import { mustFind } from "../experiments/lookup";
import { MAX_VARIANTS } from "../experiments/variant-rules";
import { type Analysis, analysisFromRow } from "./analyses";
import { analyzeExperimentNow } from "./analyze-experiment";
import { type Proposal, proposalFromRow, type StoredProposal } from "./proposals";

const PROPOSED_CHALLENGERS = 3;

/**
 * What the next round should try, from the statistics: build on a winner, look for a new
 * angle when the copy tested so far makes no difference, or widen the pool while it is
 * undecided. Arms the analysis gives almost no chance of being best are proposed for retirement.
 */
function planFrom(
  snapshot: AnalysisSnapshot,
  retireBelow: number,
): Omit<StoredProposal, "challengers"> & { base: string; guidance: string } {
  const control = snapshot.arms.find((a) => a.control);
  const winner = snapshot.arms.find((a) => a.variant_id === snapshot.decision.variant_id);
  const ranked = [...snapshot.arms].sort((a, b) => b.p_best - a.p_best);
  const lines = ranked.map(
    (a) =>
      `- ${JSON.stringify(a.text)}: ${(a.rate * 100).toFixed(2)}% over ${a.impressions} sends, P(best) ${(a.p_best * 100).toFixed(1)}%`,
  );
  const retire = snapshot.arms
    .filter(
      (a) =>
        !a.control &&
        a.status !== "retired" &&
        a.impressions >= snapshot.method.min_sample &&
        a.p_best < retireBelow,
    )
    .map((a) => ({ variant_id: a.variant_id, label: a.label, p_best: a.p_best }));
  if (snapshot.decision.status === "winner" && winner) {
    return {
      angle: "build_on_winner",
      rationale: `${winner.label} won (${snapshot.decision.reason}) The next round tests variations of its approach against it.`,
      retire,
      base: winner.text,
      guidance: [
        "Results, best first:",
        ...lines,
        `Write variations that keep what makes ${JSON.stringify(winner.text)} work and push it further.`,
      ].join("\n"),
    };
  }
  if (snapshot.decision.status === "no_difference") {
    return {
      angle: "new_angle",
      rationale: `No significant difference between the arms tested (${snapshot.decision.reason}) Rewording the same idea will not move the ${snapshot.goal_metric} rate; the next round tries a different appeal.`,
      retire,
      base: control?.text ?? ranked[0]?.text ?? "",
      guidance: [
        "These performed the same:",
        ...lines,
        "Do not reword them. Try clearly different appeals: a question, a concrete benefit, social proof, curiosity, or a deadline.",
      ].join("\n"),
    };
  }
  return {
    angle: "more_challengers",
    rationale: `${snapshot.decision.reason} More distinct challengers give the test more chances to find a better message while data accumulates.`,
    retire,
    base: control?.text ?? ranked[0]?.text ?? "",
    guidance: ["Results so far, best first:", ...lines, "Write variants unlike the ones above."].join("\n"),
  };
}

/**
 * The LLM proposes the next experiment from the latest analysis (one is run
 * first if there is none). Nothing changes until the proposal is confirmed.
 */
export async function proposeIteration({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string };
}): Promise<Proposal> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  // The LLM writes the proposal: counted against the project's hourly analysis quota.
  await spendQuota(ctx, projectId, "analysis");
  const e = found.experiment;
  const stored = await latestAnalysis(ctx.db, { projectId, experimentId: e.id, simulated: false });
  const analysis: Analysis = stored
    ? analysisFromRow(stored)
    : await analyzeExperimentNow({ ctx, projectId, input: { experimentId: e.id, source: "manual" } });
  if (analysis.snapshot.decision.status === "srm_alarm") {
    throw new ConflictError(
      "the latest analysis raised a sample ratio mismatch: fix the traffic split before iterating on these numbers",
    );
  }
  const plan = planFrom(analysis.snapshot, e.retireBelow);
  // Counted like addManualVariant: the holdout row takes a slot too.
  const room = MAX_VARIANTS - found.variants.length;
  const count = Math.min(PROPOSED_CHALLENGERS, room);
  let challengers: string[] = [];
  if (count > 0) {
    const avoid = found.variants.filter((v) => v.source !== "holdout").map((v) => v.text);
    try {
      const raw = await ctx.llm.generate({
        baseExample: plan.base,
        locale: e.locale,
        count,
        contextKeys: e.contextKeys,
        avoid,
        guidance: plan.guidance,
      });
      challengers = validateCandidates(raw, { avoid, count, contextKeys: e.contextKeys }).accepted;
    } catch (err) {
      if (isLlmError(err) && err.retryable) {
        throw new ServiceUnavailableError(
          `the LLM could not propose challengers: ${err.message}`,
          err.retryAfterSeconds ?? 30,
        );
      }
      throw err;
    }
  }
  const row: ProposalRow = {
    id: newId("prp"),
    projectId,
    experimentId: e.id,
    analysisId: analysis.id,
    status: "pending",
    provider: ctx.llm.name,
    proposal: {
      angle: plan.angle,
      rationale: plan.rationale,
      challengers,
      retire: plan.retire,
    } satisfies StoredProposal,
    createdAt: ctx.now(),
    decidedAt: null,
  };
  await insertProposal(ctx.db, row);
  return proposalFromRow(row);
}
