import { createRoute, z } from "@hono/zod-openapi";
import { authorizeGitHub } from "../../../services/github/authorize-github";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { iso } from "../push/shared";
import { notConfigured } from "./schemas";

export const authorizeGitHubRoute = createRoute({
  method: "get",
  path: "/v1/github/authorize",
  operationId: "authorizeGitHub",
  "x-pushbunny-access": "admin",
  tags: ["github"],
  summary: "A link to install the deployment's GitHub App and connect it to this project",
  description:
    "Open `install_url` in a browser within 10 minutes: GitHub installs the App on the account you pick (with the repositories you choose) and sends the browser back to GET /github/setup, which connects the installation to this project. The link works once.",
  security: BEARER,
  responses: {
    200: {
      description: "The install link",
      content: {
        "application/json": {
          schema: z.object({
            install_url: z
              .string()
              .openapi({ example: "https://github.com/apps/pushbunny/installations/new?state=…" }),
            expires_at: z.string(),
          }),
        },
      },
    },
    ...commonErrors,
    ...notConfigured,
  },
});

/** GET /v1/github/authorize */
export function registerAuthorizeGitHub(app: App) {
  app.openapi(authorizeGitHubRoute, async (c) => {
    const out = await authorizeGitHub({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
    });
    c.header("cache-control", "no-store");
    return c.json({ install_url: out.installUrl, expires_at: iso(out.expiresAt) }, 200);
  });
}
