import { createRoute, z } from "@hono/zod-openapi";
import { listTemplates } from "../../../services/templates/list-templates";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { TemplateView, templateView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/templates",
  operationId: "listTemplates",
  "x-pushbunny-access": "read",
  tags: ["templates"],
  summary: "Email templates, newest first",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ templates: z.array(TemplateView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/templates */
export function registerListTemplates(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listTemplates({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ templates: page.templates.map(templateView), next_cursor: page.nextCursor }, 200);
  });
}
