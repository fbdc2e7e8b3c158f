import { applyExperimentChange } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { recordAudit } from "../audit/record-audit";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind } from "./lookup";
import { republish } from "./republish";
import type { ExperimentDetail } from "./summaries";

/** Clears a declared winner: every active arm is tested again. Without a winner nothing changes. */
export async function clearWinner({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; reason?: string };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  if (e.winnerVariantId) {
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { winnerVariantId: null },
      variantStatus: [{ id: e.winnerVariantId, status: "active" }],
      history: [
        historyEntry(ctx, e, actor, "winner_cleared", input.reason ?? "winner cleared, testing again", {
          winner_cleared: e.winnerVariantId,
        }),
      ],
      now: ctx.now(),
    });
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "experiment.winner_cleared",
        targetType: "experiment",
        targetId: e.id,
        details: { variant_id: e.winnerVariantId, reason: input.reason ?? null },
      },
    });
  }
  return republish(ctx, projectId, e.id);
}
