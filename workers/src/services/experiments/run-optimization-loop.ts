import {
  applyExperimentChange,
  countsFromAggregates,
  type ExperimentRow,
  experimentsWithNewData,
  findExperiment,
  type LoopVerdict,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { publishPool } from "../../infra/pool";
import { analyzeExperiments } from "../analysis/statistics";
import { declareWinner } from "./declare-winner";
import { historyEntry } from "./history-entry";
import { requestChallengers } from "./request-challengers";
import { MAX_VARIANTS } from "./variant-rules";

/** The loop's name in experiment history. */
export const LOOP_ACTOR = "loop";
const BATCH = 50;

export interface LoopOutcome {
  experimentId: string;
  decision: LoopVerdict["status"];
  retired: string[];
  promoted: string | null;
  requestedChallengers: boolean;
}

/** Cron: one pass of the optimization loop over running experiments with new data. */
export async function runOptimizationLoop({ ctx }: { ctx: AppContext }): Promise<LoopOutcome[]> {
  const due = await experimentsWithNewData(ctx.db, BATCH);
  const outcomes: LoopOutcome[] = [];
  for (const e of due) {
    try {
      outcomes.push(await optimizeExperiment({ ctx, input: { projectId: e.projectId, experimentId: e.id } }));
    } catch (err) {
      ctx.logger.error("optimization failed", { experimentId: e.id, error: String(err) });
    }
  }
  return outcomes;
}

/**
 * One experiment, one step: recompute the statistics on all data; retire challengers whose
 * P(best) stayed under `retire_below` at two consecutive runs after the minimum sample; on a
 * winner, promote it if `on_winner` says so; top the pool up with challengers conditioned on
 * what won and lost. Every change lands in the experiment's history. An SRM alarm freezes the
 * loop: numbers from a broken split are not acted on.
 */
export async function optimizeExperiment({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; experimentId: string };
}): Promise<LoopOutcome> {
  const found = await findExperiment(ctx.db, input.projectId, input.experimentId);
  if (!found) throw new Error(`experiment ${input.experimentId} vanished`);
  const e = found.experiment;
  const counts = await countsFromAggregates(ctx.db, { projectId: e.projectId, experimentIds: [e.id] });
  const analysis = (
    await analyzeExperiments(ctx, e.projectId, [
      { experiment: e, variants: found.variants, counts: new Map(counts.map((c) => [c.variantId, c])) },
    ])
  ).get(e.id);
  if (!analysis) throw new Error("analysis missing");
  const now = ctx.now();
  const decision = analysis.decision;
  const outcome: LoopOutcome = {
    experimentId: e.id,
    decision: decision.status,
    retired: [],
    promoted: null,
    requestedChallengers: false,
  };

  const actionable = decision.status !== "srm_alarm" && e.status === "running" && !e.winnerVariantId;
  // Under the threshold now, after the minimum sample, and never the control. A web
  // experiment's segments are code the tenant shipped at set shares: never retired here.
  const lowNow =
    actionable && e.kind !== "web"
      ? analysis.arms
          .filter((a) => !a.control && a.impressions >= e.minSample && a.pBest < e.retireBelow)
          .map((a) => a.id)
      : [];
  const lowBefore = new Set(e.decision?.lowArms ?? []);
  const toRetire = lowNow.filter((id) => lowBefore.has(id) && id !== decision.variantId);
  const history = [];
  if (decision.status !== e.decision?.status || decision.variantId !== (e.decision?.variantId ?? null)) {
    if (
      decision.status === "winner" ||
      decision.status === "srm_alarm" ||
      decision.status === "no_difference"
    ) {
      const action = decision.status === "winner" ? "winner_declared" : "decision_changed";
      history.push(
        historyEntry(ctx, e, LOOP_ACTOR, action, decision.reason, {
          decision: decision.status,
          variant_id: decision.variantId,
        }),
      );
    }
  }
  for (const id of toRetire) {
    const arm = analysis.arms.find((a) => a.id === id);
    history.push(
      historyEntry(
        ctx,
        e,
        LOOP_ACTOR,
        "variant_retired",
        `P(best) stayed below ${e.retireBelow} after ${e.minSample} impressions`,
        {
          variant_id: id,
          p_best: arm?.pBest ?? null,
          rate: arm?.rate ?? null,
          impressions: arm?.impressions ?? null,
        },
      ),
    );
  }
  const verdict: LoopVerdict = {
    status: decision.status,
    variantId: decision.variantId,
    reason: decision.reason,
    lowArms: lowNow.filter((id) => !toRetire.includes(id)),
    at: now,
  };
  await applyExperimentChange(ctx.db, {
    projectId: e.projectId,
    experimentId: e.id,
    set: { decision: verdict, analyzedAt: now },
    variantStatus: toRetire.map((id) => ({ id, status: "retired" as const })),
    history,
    now,
  });
  outcome.retired = toRetire;

  if (actionable && decision.status === "winner" && decision.variantId && e.onWinner === "promote") {
    await declareWinner({
      ctx,
      projectId: e.projectId,
      actor: LOOP_ACTOR,
      input: {
        experimentId: e.id,
        variantId: decision.variantId,
        reason: `promoted by the loop: ${decision.reason}`,
      },
    });
    outcome.promoted = decision.variantId;
    return outcome;
  }

  const after = await findExperiment(ctx.db, e.projectId, e.id);
  if (!after) return outcome;
  if (toRetire.length > 0) await publishPool(ctx, after);
  if (
    actionable &&
    needsChallengers(after.experiment, after.variants.length, countActiveChallengers(after), toRetire.length)
  ) {
    const why =
      toRetire.length > 0
        ? `${toRetire.length} challenger(s) retired; new ones conditioned on the results`
        : "the pool is below its challenger count; new ones conditioned on the results";
    await requestChallengers(ctx, after.experiment, LOOP_ACTOR, why);
    outcome.requestedChallengers = true;
  }
  return outcome;
}

function countActiveChallengers(found: { variants: { source: string; status: string }[] }): number {
  return found.variants.filter((v) => (v.source === "llm" || v.source === "manual") && v.status !== "retired")
    .length;
}

// A failed generation is not retried here every run (that is the sweep's and the operator's
// call); a retirement, or a raised challenger count on a ready pool, asks again.
function needsChallengers(
  e: ExperimentRow,
  variantCount: number,
  activeChallengers: number,
  retired: number,
): boolean {
  if (e.generationStatus === "pending" || variantCount >= MAX_VARIANTS) return false;
  if (e.challengerCount <= activeChallengers) return false;
  return retired > 0 || e.generationStatus === "ready";
}
