import { newId } from "@pushbunny/core";
import {
  applyExperimentChange,
  decideProposal,
  findProposal,
  insertProposal,
  latestAnalysis,
  type ProposalRow,
  reopenProposal,
} from "@pushbunny/db";
import { type AnalysisSnapshot, isLlmError, validateCandidates } from "@pushbunny/llm";
import type { AppContext } from "../context";
import { ConflictError, NotFoundError, ServiceUnavailableError } from "../errors";
import { type AnalysisView, analysisView, analyzeExperimentNow } from "./experiment-report";
import {
  type Actor,
  getExperiment,
  historyEntry,
  MAX_VARIANTS,
  mustFind,
  newVariantRow,
  readsTheSame,
} from "./experiments";
import { publishPool } from "./pool";

const PROPOSED_CHALLENGERS = 3;

export interface Proposal {
  /** The direction of the next round, chosen from the analysis. */
  angle: "build_on_winner" | "new_angle" | "more_challengers";
  rationale: string;
  challengers: string[];
  retire: { variant_id: string; label: string; p_best: number }[];
}

export interface ProposalView extends Proposal {
  proposal_id: string;
  experiment_id: string;
  analysis_id: string;
  status: ProposalRow["status"];
  provider: string;
  created_at: string;
  decided_at: string | null;
}

function proposalView(row: ProposalRow): ProposalView {
  return {
    proposal_id: row.id,
    experiment_id: row.experimentId,
    analysis_id: row.analysisId,
    status: row.status,
    provider: row.provider,
    created_at: new Date(row.createdAt).toISOString(),
    decided_at: row.decidedAt === null ? null : new Date(row.decidedAt).toISOString(),
    ...(row.proposal as Proposal),
  };
}

/**
 * What the next round should try, from the statistics: build on a winner, look for a new
 * angle when the copy tested so far makes no difference, or widen the pool while it is
 * undecided. Arms the analysis gives almost no chance of being best are proposed for retirement.
 */
function planFrom(
  snapshot: AnalysisSnapshot,
  retireBelow: number,
): Omit<Proposal, "challengers"> & { base: string; guidance: string } {
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
 * POST …/iterate: the LLM proposes the next experiment from the latest analysis (one is run
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
}): Promise<ProposalView> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  const stored = await latestAnalysis(ctx.db, { projectId, experimentId: e.id, simulated: false });
  const analysis: AnalysisView = stored
    ? analysisView(stored)
    : await analyzeExperimentNow({ ctx, input: { projectId, experimentId: e.id, source: "manual" } });
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
    analysisId: analysis.analysis_id,
    status: "pending",
    provider: ctx.llm.name,
    proposal: {
      angle: plan.angle,
      rationale: plan.rationale,
      challengers,
      retire: plan.retire,
    } satisfies Proposal,
    createdAt: ctx.now(),
    decidedAt: null,
  };
  await insertProposal(ctx.db, row);
  return proposalView(row);
}

/** GET …/iterate/{proposal_id} */
export async function getProposal({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string; proposalId: string };
}): Promise<ProposalView> {
  const row = await findProposal(ctx.db, { projectId, ...input });
  if (!row)
    throw new NotFoundError(`proposal '${input.proposalId}' not found in experiment '${input.experimentId}'`);
  return proposalView(row);
}

/**
 * Confirms (applies) or discards a pending proposal, exactly once: the new challengers join
 * the pool and the proposed retirements happen in one atomic change with history entries.
 */
export async function decideIteration({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; proposalId: string; decision: "confirm" | "discard" };
}) {
  const row = await findProposal(ctx.db, { projectId, ...input });
  if (!row)
    throw new NotFoundError(`proposal '${input.proposalId}' not found in experiment '${input.experimentId}'`);
  if (row.status !== "pending") throw new ConflictError(`proposal '${row.id}' is already ${row.status}`);
  const now = ctx.now();
  const claimed = await decideProposal(ctx.db, {
    projectId,
    proposalId: row.id,
    status: input.decision === "confirm" ? "applied" : "discarded",
    now,
  });
  if (!claimed) throw new ConflictError(`proposal '${row.id}' was decided concurrently`);
  if (input.decision === "discard")
    return { proposal: proposalView({ ...row, status: "discarded", decidedAt: now }), experiment: null };

  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  const proposal = row.proposal as Proposal;
  // The pool may have changed since the proposal was made (a hand-added variant, another round).
  const taken = found.variants.filter((v) => v.source !== "holdout").map((v) => v.text);
  const room = MAX_VARIANTS - taken.length;
  const fresh: string[] = [];
  for (const text of proposal.challengers) {
    if (fresh.length >= room) break;
    if (![...taken, ...fresh].some((t) => readsTheSame(t, text))) fresh.push(text);
  }
  const retire = proposal.retire.filter((r) =>
    found.variants.some((v) => v.id === r.variant_id && v.status === "active" && v.source !== "control"),
  );
  const newVariants = fresh.map((text) =>
    newVariantRow({ projectId, experimentId: e.id, text, source: "llm", now }),
  );
  const change = {
    projectId,
    experimentId: e.id,
    variantStatus: retire.map((r) => ({ id: r.variant_id, status: "retired" as const })),
    newVariants,
    history: [
      historyEntry(ctx, e, actor, "iteration_applied", proposal.rationale, {
        proposal_id: row.id,
        angle: proposal.angle,
        added: newVariants.map((v) => ({ variant_id: v.id, text: v.text })),
        retired: retire.map((r) => r.variant_id),
      }),
    ],
    now,
  };
  try {
    await applyExperimentChange(ctx.db, change);
  } catch (err) {
    // The claim and the change are separate writes: give the proposal back so a retry can apply it.
    await reopenProposal(ctx.db, { projectId, proposalId: row.id, decidedAt: now });
    throw err;
  }
  await publishPool(ctx, await mustFind(ctx, projectId, e.id));
  return {
    proposal: proposalView({ ...row, status: "applied", decidedAt: now }),
    experiment: await getExperiment({ ctx, projectId, input: { experimentId: e.id } }),
  };
}
