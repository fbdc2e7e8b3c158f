import { latestAnalysis } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { mustFind } from "../experiments/lookup";
import { type Analysis, analysisFromRow } from "./analyses";

/** The latest stored analysis (of real traffic, or of the last simulation). */
export async function getLatestAnalysis({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string; simulated: boolean };
}): Promise<Analysis> {
  await mustFind(ctx, projectId, input.experimentId);
  const row = await latestAnalysis(ctx.db, { projectId, ...input });
  if (!row) {
    throw new NotFoundError(
      input.simulated
        ? `experiment '${input.experimentId}' has no simulation analysis yet: POST /v1/experiments/${input.experimentId}/simulate`
        : `experiment '${input.experimentId}' has no analysis yet: POST /v1/experiments/${input.experimentId}/analyze, or wait for the hourly run`,
    );
  }
  return analysisFromRow(row);
}
