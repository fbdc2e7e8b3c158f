import { findProjectLimits, setProjectLimits } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError } from "../../errors";
import { publishProjectLimits } from "../../ratelimit/project-limits";
import { checkProjectLimits, deploymentLimits } from "../../ratelimit/rules";
import { recordAudit } from "../audit/record-audit";
import { describeLimits, type ProjectLimits } from "./limits";

/**
 * Replaces the project's overrides: names left out (or null) go back to the deployment's
 * values. Each value is `N/second|minute|hour|day` within the bounds of rules.ts
 * (overrideProblem: no burst above a class's maximum, quotas only lowered within the
 * deployment's window); anything else is a 400 naming the field and the allowed form. The edge picks the change up at once in this isolate and within about two
 * minutes everywhere (ratelimit/project-limits.ts). Audited as `project.limits_updated`.
 */
export async function updateLimits({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: Record<string, unknown>;
}): Promise<ProjectLimits> {
  const checked = checkProjectLimits(input, deploymentLimits(ctx.config.rateLimits));
  if ("issues" in checked) throw BadRequestError.fromIssues(checked.issues);
  const current = await findProjectLimits(ctx.db, projectId);
  if (current === undefined) throw new NotFoundError("project not found");

  const next = checked.limits;
  const before = current ?? {};
  const changed =
    Object.keys(before).length !== Object.keys(next).length ||
    Object.entries(next).some(([name, value]) => before[name] !== value);
  if (changed) {
    const stored = Object.keys(next).length > 0 ? (next as Record<string, string>) : null;
    if (!(await setProjectLimits(ctx.db, { projectId, limits: stored, now: ctx.now() }))) {
      throw new NotFoundError("project not found");
    }
    await publishProjectLimits(ctx, projectId, stored);
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "project.limits_updated",
        targetType: "project",
        targetId: projectId,
        details: { from: before, to: next },
      },
    });
  }
  return describeLimits(ctx.config, projectId, next);
}
