import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustWebExperiment } from "./lib/lookup";

/** One web experiment by key, or a 404. */
export function getWebExperiment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { key: string };
}): Promise<WebExperimentRow> {
  return mustWebExperiment(ctx, projectId, input);
}
