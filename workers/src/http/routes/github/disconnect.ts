import { createRoute, z } from "@hono/zod-openapi";
import { disconnectGitHub } from "../../../services/github/disconnect-github";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";

export const disconnectGitHubRoute = createRoute({
  method: "delete",
  path: "/v1/github",
  operationId: "disconnectGitHub",
  "x-pushbunny-access": "admin",
  tags: ["github"],
  summary: "Disconnect the project from its GitHub installation (the App stays installed on GitHub)",
  description:
    "PushBunny stops using the installation for this project: no more implementation runs, and pull request webhooks no longer find its experiments. The App stays installed on the GitHub account: uninstall it there (Settings → Applications) to revoke its access.",
  security: BEARER,
  responses: {
    200: {
      description: "Disconnected",
      content: {
        "application/json": {
          schema: z.object({
            disconnected: z.literal(true),
            installation_id: z.number().int(),
            account_login: z.string(),
            note: z.string(),
          }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** DELETE /v1/github */
export function registerDisconnectGitHub(app: App) {
  app.openapi(disconnectGitHubRoute, async (c) => {
    const out = await disconnectGitHub({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
    });
    return c.json(
      {
        disconnected: true as const,
        installation_id: out.installationId,
        account_login: out.accountLogin,
        note: `the App is still installed on ${out.accountLogin}: uninstall it on GitHub to revoke its access`,
      },
      200,
    );
  });
}
