import { type ExperimentWithVariants, findExperiment, type VariantRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** The project's experiment with its variants, or a 404. */
export async function mustFind(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
): Promise<ExperimentWithVariants> {
  const found = await findExperiment(ctx.db, projectId, experimentId);
  if (!found) throw new NotFoundError(`experiment '${experimentId}' not found`);
  return found;
}

/** A variant of the experiment a person may act on (the holdout is not one), or a 404. */
export function mustVariant(found: ExperimentWithVariants, variantId: string): VariantRow {
  const v = found.variants.find((x) => x.id === variantId && x.source !== "holdout");
  if (!v) throw new NotFoundError(`variant '${variantId}' not found in experiment '${found.experiment.id}'`);
  return v;
}
