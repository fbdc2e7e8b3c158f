import { encodeCursor, isId } from "@pushbunny/core";
import { listAuditPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";

/** Page sizes the verb accepts (the route's schema says the same). */
export const AUDIT_LIST_LIMIT = { min: 1, max: 100 } as const;

/** An action (`api_key.revoked`) or a family of them (`api_key.*`). */
export const AUDIT_ACTION_FILTER = /^[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?$/;

/** One entry of the audit log: who did what to which thing, and when. */
export interface AuditEntry {
  id: string;
  at: number;
  /** `user:<id>`, `api_key:<prefix>…`, or `loop` for the optimization loop. */
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** A page of the project's audit log, newest first, optionally one action or family. */
export async function listAuditLog({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string; action?: string };
}): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  if (
    !Number.isInteger(input.limit) ||
    input.limit < AUDIT_LIST_LIMIT.min ||
    input.limit > AUDIT_LIST_LIMIT.max
  ) {
    throw BadRequestError.fromIssues([
      {
        path: "limit",
        message: `must be an integer from ${AUDIT_LIST_LIMIT.min} to ${AUDIT_LIST_LIMIT.max}`,
      },
    ]);
  }
  if (input.action !== undefined && !AUDIT_ACTION_FILTER.test(input.action)) {
    throw BadRequestError.fromIssues([
      { path: "action", message: "must be an action such as api_key.revoked, or a family such as api_key.*" },
    ]);
  }
  const after = readCursor(input.cursor, ["string"], ([id]) => isId(id, "aud"));
  const rows = await listAuditPage(ctx.db, projectId, {
    limit: input.limit + 1,
    beforeId: after?.[0],
    action: input.action?.endsWith(".*") ? input.action.slice(0, -1) : input.action,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      details: r.details,
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.id]) : null,
  };
}
