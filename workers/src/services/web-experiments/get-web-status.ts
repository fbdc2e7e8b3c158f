import { type ImplementationRunRow, latestImplementationRun, type WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { mustWebExperiment } from "./lib/lookup";

export interface WebStatus {
  experiment: WebExperimentRow;
  /** The newest implementation run, if the agent was ever asked. */
  run: ImplementationRunRow | null;
}

/** What a client polls while the agent works: the status and the newest run's phase and log. */
export async function getWebStatus({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { key: string };
}): Promise<WebStatus> {
  const experiment = await mustWebExperiment(ctx, projectId, input);
  const run = await latestImplementationRun(ctx.db, projectId, experiment.experimentId);
  return { experiment, run };
}

/** The unified diff the newest run wrote, or a 404 when there is none yet. */
export async function getWebDiff({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { key: string };
}): Promise<string> {
  const { run } = await getWebStatus({ ctx, projectId, input });
  if (!run) throw new NotFoundError(`web experiment '${input.key}' has no implementation run`);
  if (!run.diff) throw new NotFoundError(`the implementation run '${run.id}' has written no diff yet`);
  return run.diff;
}
