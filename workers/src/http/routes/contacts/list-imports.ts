import { createRoute, z } from "@hono/zod-openapi";
import { listContactImports } from "../../../services/contacts/list-imports";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { ContactImportView, importView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/contacts/imports",
  operationId: "listContactImports",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "CSV imports, newest first, with their progress and counts",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ imports: z.array(ContactImportView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/contacts/imports */
export function registerListContactImports(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listContactImports({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ imports: page.imports.map(importView), next_cursor: page.nextCursor }, 200);
  });
}
