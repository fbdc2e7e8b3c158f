import { disableProjectWebhooks, softDeleteProject } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { invalidateProjectKeys } from "../../infra/api-keys";
import { publishMetricsPolicy } from "../../infra/metrics-policy";
import { recordAudit } from "../audit/record-audit";
import { mustProject } from "./get-project";

/**
 * Soft-deletes a project: its data is kept, but every route answers 404 for its members (the
 * membership check skips deleted projects), its pending invites are withdrawn, and its API keys
 * stop working everywhere once their caches are invalidated.
 */
export async function deleteProject({
  ctx,
  projectId,
  actor,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
}): Promise<void> {
  const project = await mustProject(ctx, projectId);
  if (!(await softDeleteProject(ctx.db, projectId, ctx.now()))) throw new NotFoundError("project not found");
  await invalidateProjectKeys(ctx, projectId);
  await disableProjectWebhooks(ctx.db, { projectId, reason: "the project was deleted", now: ctx.now() });
  // Keyless /v1/metrics stop recording for it at once here and within KV's propagation elsewhere;
  // if KV fails, cached policies say "live" until they expire (an hour at most), which records
  // nothing anyone can read: the project is gone.
  await publishMetricsPolicy(ctx, projectId, { live: false, requireKey: true }).catch((err: unknown) =>
    ctx.logger.warn("deleted project's metrics policy not published", { projectId, error: String(err) }),
  );
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "project.deleted",
      targetType: "project",
      targetId: projectId,
      details: { name: project.name },
    },
  });
}
