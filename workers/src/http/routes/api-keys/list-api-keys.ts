import { createRoute, z } from "@hono/zod-openapi";
import { KEY_LIST_LIMIT, listApiKeys } from "../../../services/api-keys/list-api-keys";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ApiKeyView, ProjectParams } from "./schemas";
import { toApiKeyView } from "./views";

export const ListApiKeysQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(KEY_LIST_LIMIT.min)
    .max(KEY_LIST_LIMIT.max)
    .default(20)
    .openapi({ example: 20 }),
  cursor: z.string().max(200).optional().openapi({
    description: "`next_cursor` of the previous page; anything else is a 400",
    example: "WzE3OTY1NDc2MDAwMDAsImtleV8wYTFiIl0",
  }),
});

export const ApiKeyList = z
  .object({
    api_keys: z.array(ApiKeyView),
    next_cursor: z.string().nullable().openapi({ description: "null on the last page", example: null }),
  })
  .openapi("ApiKeyList");

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/api-keys",
  operationId: "listApiKeys",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "List the project's API keys, newest first",
  description:
    "Revoked and expired keys are listed too, with their status. Secrets are never shown again. Page with `limit` and `cursor`.",
  security: BEARER,
  request: { params: ProjectParams, query: ListApiKeysQuery },
  responses: {
    200: { description: "A page of keys", content: { "application/json": { schema: ApiKeyList } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/projects/{project_id}/api-keys */
export function registerListApiKeys(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listApiKeys({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ api_keys: page.keys.map(toApiKeyView), next_cursor: page.nextCursor }, 200);
  });
}
