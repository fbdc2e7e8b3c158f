import { applyExperimentChange } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { emitWebhookEvents } from "../webhooks/emit";
import { winnerDeclaredEvent } from "../webhooks/events";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind, mustVariant } from "./lookup";
import { republish } from "./republish";
import type { ExperimentDetail } from "./summaries";

/** Declares a winner: it serves everyone but the holdout until the winner is cleared. */
export async function declareWinner({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; variantId: string; reason?: string; detail?: Record<string, unknown> };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const v = mustVariant(found, input.variantId);
  if (v.status === "retired")
    throw new ConflictError(`variant '${v.id}' is retired: a retired arm cannot win`);
  const e = found.experiment;
  if (e.winnerVariantId !== v.id) {
    const previous = e.winnerVariantId;
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { winnerVariantId: v.id },
      variantStatus: [
        ...(previous ? [{ id: previous, status: "active" as const }] : []),
        { id: v.id, status: "winner" },
      ],
      history: [
        historyEntry(ctx, e, actor, "winner_promoted", input.reason ?? null, {
          variant_id: v.id,
          text: v.text,
          ...input.detail,
        }),
      ],
      now: ctx.now(),
    });
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "experiment.winner_declared",
        targetType: "experiment",
        targetId: e.id,
        details: { variant_id: v.id, previous_winner: previous, reason: input.reason ?? null },
      },
    });
    await emitWebhookEvents(ctx, projectId, [
      winnerDeclaredEvent({
        experimentId: e.id,
        intentId: e.intentId,
        locale: e.locale,
        variantId: v.id,
        text: v.text,
        previousWinnerId: previous,
        reason: input.reason ?? null,
        actor,
        at: ctx.now(),
      }),
    ]);
  }
  return republish(ctx, projectId, e.id);
}
