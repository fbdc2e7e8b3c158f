import { createRoute, z } from "@hono/zod-openapi";
import { AUDIT_ACTION_FILTER, AUDIT_LIST_LIMIT, listAuditLog } from "../../../services/audit/list-audit-log";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ProjectParams } from "../api-keys/schemas";

export const ListAuditLogQuery = z.object({
  action: z
    .string()
    .max(100)
    .regex(AUDIT_ACTION_FILTER, "must be an action such as api_key.revoked, or a family such as api_key.*")
    .optional()
    .openapi({ description: "One action, or a family ending in `.*`", example: "api_key.*" }),
  limit: z.coerce
    .number()
    .int()
    .min(AUDIT_LIST_LIMIT.min)
    .max(AUDIT_LIST_LIMIT.max)
    .default(50)
    .openapi({ example: 50 }),
  cursor: z.string().max(200).optional().openapi({
    description: "`next_cursor` of the previous page; anything else is a 400",
    example: "WyJhdWRfMG1rN2Q5ZjJhMGExYjJjM2Q0ZTVmNjA3MTgyOSJd",
  }),
});

export const AuditEntryView = z
  .object({
    id: z.string().openapi({ example: "aud_0mk7d9f2a0a1b2c3d4e5f6071829" }),
    at: z.string().openapi({ format: "date-time", example: "2026-12-06T09:00:00.000Z" }),
    actor: z.string().openapi({
      description: "`user:<id>`, `api_key:<prefix>…` (never a whole key) or `loop` (the optimization loop)",
      example: "user:usr_0a1b2c3d4e5f60718293",
    }),
    action: z.string().openapi({ example: "api_key.revoked" }),
    target_type: z.string().openapi({ example: "api_key" }),
    target_id: z.string().openapi({ example: "key_3f9a1c2b7d4e5f607182" }),
    details: z
      .record(z.string(), z.unknown())
      .openapi({ example: { prefix: "pb_live_3f9a", name: "iOS app" } }),
  })
  .openapi("AuditEntry");

export const AuditLog = z
  .object({
    entries: z.array(AuditEntryView),
    next_cursor: z.string().nullable().openapi({ description: "null on the last page", example: null }),
  })
  .openapi("AuditLog");

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/audit-log",
  operationId: "listAuditLog",
  "x-pushbunny-access": "admin",
  tags: ["audit"],
  summary: "Who did what to the project, newest first",
  description:
    "Key lifecycle (api_key.created, renamed, expiry_changed, revoked, rolled), members and invites, settings and secrets rotated (push.*, ads.*), experiment changes (experiment.updated, winner_declared, winner_cleared). Filter with `action` (`api_key.revoked`, or a family: `api_key.*`); page with `limit` and `cursor`.",
  security: BEARER,
  request: { params: ProjectParams, query: ListAuditLogQuery },
  responses: {
    200: { description: "A page of the audit log", content: { "application/json": { schema: AuditLog } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/projects/{project_id}/audit-log */
export function registerListAuditLog(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listAuditLog({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor, action: q.action },
    });
    return c.json(
      {
        entries: page.entries.map((e) => ({
          id: e.id,
          at: new Date(e.at).toISOString(),
          actor: e.actor,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          details: e.details,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
}
