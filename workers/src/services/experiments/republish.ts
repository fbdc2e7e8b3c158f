import type { AppContext } from "../../context";
import { publishPool } from "../../infra/pool";
import { getExperiment } from "./get-experiment";
import { mustFind } from "./lookup";
import type { ExperimentDetail } from "./summaries";

/** After a change: publishes the serving pool at once and returns the experiment as it is now. */
export async function republish(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
): Promise<ExperimentDetail> {
  await publishPool(ctx, await mustFind(ctx, projectId, experimentId));
  return getExperiment({ ctx, projectId, input: { experimentId } });
}
