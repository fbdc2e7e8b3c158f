import { newTimeId } from "@pushbunny/core";
import { insertAuditEntry } from "@pushbunny/db";
import type { AppContext } from "../../context";

/**
 * Records who did what to a project. Written in the same request as the change (awaited), so an
 * action the API confirmed is never missing from the log.
 */
export async function recordAudit({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { action: string; targetType: string; targetId: string; details?: Record<string, unknown> };
}): Promise<void> {
  await insertAuditEntry(ctx.db, {
    id: newTimeId("aud", ctx.now()),
    projectId,
    at: ctx.now(),
    actor,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    details: input.details,
  });
}
