import { createRoute } from "@hono/zod-openapi";
import { revokeApiKey } from "../../../services/api-keys/revoke-api-key";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { apiKeyResponse, KeyParams } from "./schemas";
import { callerKeyIdOf, toApiKeyView } from "./views";

const route = createRoute({
  method: "delete",
  path: "/v1/projects/{project_id}/api-keys/{key_id}",
  operationId: "revokeApiKey",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "Revoke a key: refused at this edge at once and everywhere within 60 seconds",
  description:
    "Idempotent: revoking a revoked key answers it again (200). The key stays listed with `status: revoked`.",
  security: BEARER,
  request: { params: KeyParams },
  responses: { 200: apiKeyResponse("The revoked key"), ...commonErrors, ...notFound },
});

/** DELETE /v1/projects/{project_id}/api-keys/{key_id} */
export function registerRevokeApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { key_id } = c.req.valid("param");
    const key = await revokeApiKey({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      callerKeyId: callerKeyIdOf(c.get("principal")),
      input: { keyId: key_id },
    });
    return c.json(toApiKeyView(key), 200);
  });
}
