import { createRoute, z } from "@hono/zod-openapi";
import { rollApiKey } from "../../../services/api-keys/roll-api-key";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { conflict, GraceSeconds, issuedKeyResponse, KeyParams } from "./schemas";
import { callerKeyIdOf, toIssuedView } from "./views";

export const RollApiKeyRequest = z
  .strictObject({ grace_seconds: GraceSeconds.optional() })
  .openapi("RollApiKeyRequest", { example: { grace_seconds: 3_600 } });

const route = createRoute({
  method: "post",
  path: "/v1/projects/{project_id}/api-keys/{key_id}/roll",
  operationId: "rollApiKey",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "Roll a key: a new secret now, the old one expires after a grace period",
  description:
    "The new key has the same name, scopes, mode and `expires_at` (when an API key calls: no later than its own expiry, and only scopes it holds, else 403); its secret is shown in this response only. The old key gets `expires_at` = now + `grace_seconds` (a day by default; never later than it already had) and `rolled_to` = the new key's id. The body may be left out. Revoked, expired or already rolled keys, login keys (`login_user_id` set: sign in again instead), or a grace while the project has 200 working keys: 409.",
  security: BEARER,
  middleware: [limitBody(4 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: KeyParams,
    body: { required: false, content: { "application/json": { schema: RollApiKeyRequest } } },
  },
  responses: {
    201: issuedKeyResponse("The new key, with its secret (`key`)"),
    ...commonErrors,
    ...notFound,
    ...conflict(
      "The key is revoked, expired, a login key or was already rolled, or the project is at its key cap",
    ),
  },
});

/** POST /v1/projects/{project_id}/api-keys/{key_id}/roll */
export function registerRollApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { key_id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof RollApiKeyRequest> | undefined;
    const key = await rollApiKey({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      callerKeyId: callerKeyIdOf(c.get("principal")),
      input: { keyId: key_id, graceSeconds: body?.grace_seconds },
    });
    return c.json(toIssuedView(key), 201);
  });
}
