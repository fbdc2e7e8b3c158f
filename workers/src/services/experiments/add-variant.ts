import { applyExperimentChange, type VariantRow } from "@pushbunny/db";
import { MAX_VARIANT_LENGTH } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { publishPool } from "../../infra/pool";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind } from "./lookup";
import { MAX_VARIANTS, newVariantRow, readsTheSame } from "./variant-rules";

/** Adds a hand-written variant to the rotation; it serves from the next message on. */
export async function addManualVariant({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; text: string; reason?: string };
}): Promise<VariantRow> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  const text = input.text.trim();
  if (text === "") throw new BadRequestError("text must not be empty", [{ path: "text", message: "empty" }]);
  if ([...text].length > MAX_VARIANT_LENGTH) {
    throw new BadRequestError(`text: at most ${MAX_VARIANT_LENGTH} characters`, [
      { path: "text", message: "too long" },
    ]);
  }
  if (found.variants.length >= MAX_VARIANTS) {
    throw new ConflictError(
      `an experiment holds at most ${MAX_VARIANTS} variants; retire is not enough, start a new intent`,
    );
  }
  const same = found.variants.find((v) => v.source !== "holdout" && readsTheSame(v.text, text));
  if (same) throw new ConflictError(`variant '${same.id}' already reads the same (${same.status})`);
  const now = ctx.now();
  const row = newVariantRow({ projectId, experimentId: e.id, text, source: "manual", now });
  await applyExperimentChange(ctx.db, {
    projectId,
    experimentId: e.id,
    newVariants: [row],
    history: [
      historyEntry(ctx, e, actor, "variant_added", input.reason ?? null, { variant_id: row.id, text }),
    ],
    now,
  });
  const after = await mustFind(ctx, projectId, e.id);
  const added = after.variants.find((v) => v.id === row.id);
  if (!added) throw new ConflictError("a variant with the same text was added concurrently");
  await publishPool(ctx, after);
  return added;
}
