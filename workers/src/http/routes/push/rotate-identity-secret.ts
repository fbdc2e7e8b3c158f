import { createRoute, z } from "@hono/zod-openapi";
import { IDENTITY_GRACE_MS } from "../../../push/identity";
import { rotateIdentitySecret } from "../../../services/push/rotate-identity-secret";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { IdentitySecretView, identitySecretView } from "./identity-secret-view";

export const rotateIdentitySecretRoute = createRoute({
  method: "post",
  path: "/v1/push/identity-secret",
  operationId: "rotatePushIdentitySecret",
  "x-pushbunny-access": "admin",
  tags: ["push"],
  summary: "Create or rotate the identity secret; the answer is the only time it is shown",
  description: `Your backend signs each user id with it: user_hash = lowercase hex HMAC-SHA256(key = the secret, message = user_id). Browsers send user_id with user_hash to POST /push/{project}/subscriptions. After a rotation the previous secret still verifies for ${IDENTITY_GRACE_MS / 3_600_000} hours.`,
  security: BEARER,
  responses: {
    200: {
      description: "The new secret, once",
      content: {
        "application/json": {
          schema: IdentitySecretView.extend({ secret: z.string() }).openapi("IdentitySecretCreated"),
        },
      },
    },
    ...commonErrors,
    ...unavailable,
  },
});

export function registerRotateIdentitySecret(app: App) {
  app.openapi(rotateIdentitySecretRoute, async (c) => {
    const s = await rotateIdentitySecret({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
    });
    c.header("cache-control", "no-store");
    return c.json({ secret: s.secret, ...identitySecretView(s) }, 200);
  });
}
