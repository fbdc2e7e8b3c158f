import { createRoute } from "@hono/zod-openapi";
import { getApiKey } from "../../../services/api-keys/get-api-key";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { apiKeyResponse, KeyParams } from "./schemas";
import { toApiKeyView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/api-keys/{key_id}",
  operationId: "getApiKey",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "Read one API key (never its secret)",
  security: BEARER,
  request: { params: KeyParams },
  responses: { 200: apiKeyResponse("The key"), ...commonErrors, ...notFound },
});

/** GET /v1/projects/{project_id}/api-keys/{key_id} */
export function registerGetApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { key_id } = c.req.valid("param");
    const key = await getApiKey({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { keyId: key_id },
    });
    return c.json(toApiKeyView(key), 200);
  });
}
