import { applyExperimentChange, reopenProposal } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { publishPool } from "../../infra/pool";
import { getExperiment } from "../experiments/get-experiment";
import { type Actor, historyEntry } from "../experiments/history-entry";
import { mustFind } from "../experiments/lookup";
import type { ExperimentDetail } from "../experiments/summaries";
import { MAX_VARIANTS, newVariantRow, readsTheSame } from "../experiments/variant-rules";
import { claimProposal, type Proposal, proposalFromRow } from "./proposals";

/**
 * Applies a pending proposal, exactly once: the new challengers join the pool and the proposed
 * retirements happen in one atomic change with a history entry, then the pool is republished.
 */
export async function confirmIteration({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; proposalId: string };
}): Promise<{ proposal: Proposal; experiment: ExperimentDetail }> {
  const now = ctx.now();
  // A web experiment's variants are shipped code: new copy cannot join it as challengers.
  if ((await mustFind(ctx, projectId, input.experimentId)).experiment.kind === "web") {
    throw new ConflictError(
      "this is a web experiment: its segments are code, so an iteration cannot add them here; create the next web experiment (POST /v1/web-experiments) from the proposal instead",
    );
  }
  const row = await claimProposal(ctx, projectId, { ...input, status: "applied", now });
  const proposal = proposalFromRow(row);
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  // The pool may have changed since the proposal was made (a hand-added variant, another round).
  const taken = found.variants.filter((v) => v.source !== "holdout").map((v) => v.text);
  const room = MAX_VARIANTS - taken.length;
  const fresh: string[] = [];
  for (const text of proposal.challengers) {
    if (fresh.length >= room) break;
    if (![...taken, ...fresh].some((t) => readsTheSame(t, text))) fresh.push(text);
  }
  const retire = proposal.retire.filter((r) =>
    found.variants.some((v) => v.id === r.variantId && v.status === "active" && v.source !== "control"),
  );
  const newVariants = fresh.map((text) =>
    newVariantRow({ projectId, experimentId: e.id, text, source: "llm", now }),
  );
  try {
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      variantStatus: retire.map((r) => ({ id: r.variantId, status: "retired" as const })),
      newVariants,
      history: [
        historyEntry(ctx, e, actor, "iteration_applied", proposal.rationale, {
          proposal_id: row.id,
          angle: proposal.angle,
          added: newVariants.map((v) => ({ variant_id: v.id, text: v.text })),
          retired: retire.map((r) => r.variantId),
        }),
      ],
      now,
    });
  } catch (err) {
    // The claim and the change are separate writes: give the proposal back so a retry can apply it.
    await reopenProposal(ctx.db, { projectId, proposalId: row.id, decidedAt: now });
    throw err;
  }
  await publishPool(ctx, await mustFind(ctx, projectId, e.id));
  return { proposal, experiment: await getExperiment({ ctx, projectId, input: { experimentId: e.id } }) };
}
