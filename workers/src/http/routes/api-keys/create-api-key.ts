import { createRoute, z } from "@hono/zod-openapi";
import { createApiKey } from "../../../services/api-keys/create-api-key";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, ExpiresAt, issuedKeyResponse, KeyName, Mode, ProjectParams, Scope } from "./schemas";
import { callerKeyIdOf, toIssuedView } from "./views";

export const CreateApiKeyRequest = z
  .strictObject({
    name: KeyName,
    scopes: z
      .array(Scope)
      .min(1, "name at least one scope")
      .max(3)
      .optional()
      .openapi({ description: 'Defaults to `["message"]`', example: ["message"] }),
    mode: Mode.optional(),
    expires_at: ExpiresAt.optional().openapi({
      description:
        "When the key stops working; null: never. Omitted: never, or, when an API key with an expiry calls, that key's own expiry (it cannot ask for a later one)",
    }),
  })
  .openapi("CreateApiKeyRequest", { example: { name: "iOS app (production)", scopes: ["message"] } });

const route = createRoute({
  method: "post",
  path: "/v1/projects/{project_id}/api-keys",
  operationId: "createApiKey",
  "x-pushbunny-access": "admin",
  tags: ["api-keys"],
  summary: "Create an API key; its secret is shown in this response only",
  description:
    "`pb_live_` or `pb_test_` followed by 64 hex characters; only its SHA-256 is stored. Scopes default to `message`, what an SDK needs; test-mode keys carry `message` and `read` only. An API key calling issues only scopes it holds (403) and no later expiry than its own (400). A project holds at most 200 working (unrevoked, unexpired) keys (409).",
  security: BEARER,
  middleware: [limitBody(8 * 1024)] as const,
  request: {
    params: ProjectParams,
    body: { required: true, content: { "application/json": { schema: CreateApiKeyRequest } } },
  },
  responses: {
    201: issuedKeyResponse("The key, with its secret (`key`)"),
    ...commonErrors,
    ...notFound,
    ...conflict("The project already has 200 working keys"),
  },
});

/** POST /v1/projects/{project_id}/api-keys */
export function registerCreateApiKey(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const key = await createApiKey({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      callerKeyId: callerKeyIdOf(c.get("principal")),
      input: { name: body.name, scopes: body.scopes, mode: body.mode, expiresAt: body.expires_at },
    });
    return c.json(toIssuedView(key), 201);
  });
}
