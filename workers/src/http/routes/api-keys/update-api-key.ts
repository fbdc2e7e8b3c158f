import { createRoute, z } from "@hono/zod-openapi";
import { updateApiKey } from "../../../services/api-keys/update-api-key";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { apiKeyResponse, conflict, ExpiresAt, KeyName, KeyParams } from "./schemas";
import { callerKeyIdOf, toApiKeyView } from "./views";

export const UpdateApiKeyRequest = z
  .strictObject({
    name: KeyName.optional(),
    expires_at: ExpiresAt.optional().openapi({
      description: "When the key stops working; null: never; an instant already past expires it now",
    }),
  })
  .refine((b) => b.name !== undefined || b.expires_at !== undefined, {
    message: "send name or expires_at to change",
  })
  .openapi("UpdateApiKeyRequest", {
    example: { name: "iOS app (2026)", expires_at: "2026-12-31T00:00:00Z" },
  });

const route = createRoute({
  method: "patch",
  path: "/v1/projects/{project_id}/api-keys/{key_id}",
  operationId: "updateApiKey",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "Rename a key or change when it expires",
  description:
    "A new expiry reaches every edge within 60 seconds. Revoked and expired keys cannot get a new expiry (409), and a rolled key's grace can end sooner but not later (409).",
  security: BEARER,
  middleware: [limitBody(8 * 1024)] as const,
  request: {
    params: KeyParams,
    body: { required: true, content: { "application/json": { schema: UpdateApiKeyRequest } } },
  },
  responses: {
    200: apiKeyResponse("The key after the change"),
    ...commonErrors,
    ...notFound,
    ...conflict("The key is revoked, expired, or rolled and the expiry would grow"),
  },
});

/** PATCH /v1/projects/{project_id}/api-keys/{key_id} */
export function registerUpdateApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { key_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const key = await updateApiKey({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      callerKeyId: callerKeyIdOf(c.get("principal")),
      input: { keyId: key_id, name: body.name, expiresAt: body.expires_at },
    });
    return c.json(toApiKeyView(key), 200);
  });
}
