import { newId } from "@pushbunny/core";
import { applyExperimentChange } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { servingArms } from "../../infra/pool";
import { recordAudit } from "../audit/record-audit";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind } from "./lookup";
import { republish } from "./republish";
import { type ExperimentSettings, SETTING_COLUMNS, validateSettings } from "./settings";
import type { ExperimentDetail } from "./summaries";

/** Changes settings; the first holdout share above zero creates the holdout group. */
export async function updateExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; settings: ExperimentSettings; reason?: string };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  validateSettings(
    input.settings,
    servingArms({ ...e, status: "running", winnerVariantId: null }, found.variants).length,
  );
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(input.settings) as [keyof ExperimentSettings, unknown][]) {
    if (value === undefined || e[key] === value) continue;
    changed[SETTING_COLUMNS[key]] = { from: e[key], to: value };
  }
  if (Object.keys(changed).length > 0) {
    const holdout = found.variants.find((v) => v.source === "holdout");
    const control = found.variants.find((v) => v.source === "control");
    const now = ctx.now();
    const newVariants =
      (input.settings.holdoutShare ?? 0) > 0 && !holdout && control
        ? [
            {
              id: newId("var"),
              projectId,
              experimentId: e.id,
              text: control.text,
              normalized: control.normalized,
              source: "holdout" as const,
              status: "active" as const,
              createdAt: now,
              updatedAt: now,
            },
          ]
        : [];
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: input.settings,
      newVariants,
      history: [historyEntry(ctx, e, actor, "settings_changed", input.reason ?? null, changed)],
      now,
    });
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "experiment.updated",
        targetType: "experiment",
        targetId: e.id,
        details: { changed, reason: input.reason ?? null },
      },
    });
  }
  return republish(ctx, projectId, e.id);
}
