import { findProjectLimits } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { describeLimits, type ProjectLimits } from "./limits";

/** The project's rate limits and quotas: effective values, its own overrides, defaults and maximums. */
export async function getLimits({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<ProjectLimits> {
  const overrides = await findProjectLimits(ctx.db, projectId);
  if (overrides === undefined) throw new NotFoundError("project not found");
  return describeLimits(ctx.config, projectId, overrides);
}
