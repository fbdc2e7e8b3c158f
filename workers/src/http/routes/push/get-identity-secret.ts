import { createRoute } from "@hono/zod-openapi";
import { getIdentitySecret } from "../../../services/push/get-identity-secret";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { IdentitySecretView, identitySecretView } from "./identity-secret-view";

export const getIdentitySecretRoute = createRoute({
  method: "get",
  path: "/v1/push/identity-secret",
  operationId: "getPushIdentitySecret",
  "x-pushbunny-access": "admin",
  tags: ["push"],
  summary: "Whether the project has an identity secret and when it was made (never the secret)",
  security: BEARER,
  responses: {
    200: { description: "Its status", content: { "application/json": { schema: IdentitySecretView } } },
    ...commonErrors,
  },
});

export function registerGetIdentitySecret(app: App) {
  app.openapi(getIdentitySecretRoute, async (c) =>
    c.json(
      identitySecretView(await getIdentitySecret({ ctx: c.get("ctx"), projectId: c.get("owner").projectId })),
      200,
    ),
  );
}
