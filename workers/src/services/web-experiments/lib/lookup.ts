import { findWebExperiment, findWebExperimentById, type WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { NotFoundError } from "../../../errors";

/** A web experiment named by its key, or by its engine experiment's id (jobs and webhooks hold that). */
export type WebExperimentRef = { key: string } | { experimentId: string };

/** The project's web experiment, or a 404. */
export async function mustWebExperiment(
  ctx: AppContext,
  projectId: string,
  ref: WebExperimentRef,
): Promise<WebExperimentRow> {
  const row =
    "key" in ref
      ? await findWebExperiment(ctx.db, projectId, ref.key)
      : await findWebExperimentById(ctx.db, projectId, ref.experimentId);
  if (!row) {
    throw new NotFoundError(
      "key" in ref
        ? `web experiment '${ref.key}' not found`
        : `web experiment '${ref.experimentId}' not found`,
    );
  }
  return row;
}
