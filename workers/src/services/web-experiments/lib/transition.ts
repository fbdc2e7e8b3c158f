import {
  updateWebExperimentRow,
  type WebExperimentChange,
  type WebExperimentRow,
  type WebExperimentStatus,
} from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ConflictError } from "../../../errors";
import { recordAudit } from "../../audit/record-audit";
import { forgetRuntimeConfig, publishRuntimeConfig } from "../../web/runtime-config";
import { mustWebExperiment, type WebExperimentRef } from "./lookup";

/**
 * Moves a web experiment from one of `from` to `to` with a compare-and-set (two racing
 * transitions cannot both win; the loser gets a 409 naming the status it found), audits it,
 * and rewrites the runtime config when the set of active experiments may have changed.
 */
export async function transition(
  ctx: AppContext,
  input: {
    projectId: string;
    actor: string;
    ref: WebExperimentRef;
    from: readonly WebExperimentStatus[];
    to: WebExperimentStatus;
    set?: WebExperimentChange;
    reason: string | null;
    action: string;
  },
): Promise<WebExperimentRow> {
  const current = await mustWebExperiment(ctx, input.projectId, input.ref);
  const refused = () =>
    new ConflictError(
      `web experiment '${current.key}' is ${current.status}: it can become ${input.to} only from ${input.from.join(" or ")}`,
    );
  if (!input.from.includes(current.status)) throw refused();
  const row = await updateWebExperimentRow(ctx.db, {
    projectId: input.projectId,
    experimentId: current.experimentId,
    from: input.from,
    set: { ...input.set, status: input.to, statusReason: input.reason },
    now: ctx.now(),
  });
  if (!row) throw refused();
  await recordAudit({
    ctx,
    projectId: input.projectId,
    actor: input.actor,
    input: {
      action: input.action,
      targetType: "web_experiment",
      targetId: row.key,
      details: { experiment_id: row.experimentId, from: current.status, to: input.to, reason: input.reason },
    },
  });
  if (current.status === "active" || input.to === "active") await republish(ctx, input.projectId, row.key);
  return row;
}

/**
 * The status is already changed (a retry would be a 409), so a failed KV write must not leave
 * the old config in place: dropping it sends readers to D1. Only when both fail is it an error.
 */
async function republish(ctx: AppContext, projectId: string, key: string): Promise<void> {
  try {
    await publishRuntimeConfig(ctx, projectId);
  } catch (err) {
    ctx.logger.warn("web runtime config not written; dropping the KV copy", {
      projectId,
      key,
      error: String(err),
    });
    await forgetRuntimeConfig(ctx, projectId);
  }
}
