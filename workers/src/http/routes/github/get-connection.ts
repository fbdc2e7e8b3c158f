import { createRoute } from "@hono/zod-openapi";
import { getGitHubConnection } from "../../../services/github/get-github-connection";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { iso } from "../push/shared";
import { error, GitHubConnection, notConfigured } from "./schemas";

export const getGitHubConnectionRoute = createRoute({
  method: "get",
  path: "/v1/github",
  operationId: "getGitHubConnection",
  "x-pushbunny-access": "read",
  tags: ["github"],
  summary: "The project's GitHub connection and the repositories its installation reaches",
  security: BEARER,
  responses: {
    200: { description: "Connected or not", content: { "application/json": { schema: GitHubConnection } } },
    ...commonErrors,
    409: error("The installation cannot list its repositories (a permission is missing)"),
    ...notConfigured,
  },
});

/** GET /v1/github */
export function registerGetGitHubConnection(app: App) {
  app.openapi(getGitHubConnectionRoute, async (c) => {
    const out = await getGitHubConnection({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    if (!out.connected) {
      return c.json(
        {
          connected: false,
          installation_id: null,
          account_login: null,
          account_type: null,
          repository_selection: null,
          state: null,
          connected_at: null,
          repositories: [],
          repositories_truncated: false,
        },
        200,
      );
    }
    const i = out.installation;
    return c.json(
      {
        connected: true,
        installation_id: i.installationId,
        account_login: i.accountLogin,
        account_type: i.accountType,
        repository_selection: i.repositorySelection,
        state: i.state,
        connected_at: iso(i.updatedAt),
        repositories: out.repositories.map((r) => ({
          full_name: r.fullName,
          default_branch: r.defaultBranch,
          private: r.private,
        })),
        repositories_truncated: out.truncated,
      },
      200,
    );
  });
}
