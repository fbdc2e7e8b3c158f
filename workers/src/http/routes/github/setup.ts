import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { loadSession } from "../../../dashboard/session";
import type { DashEnv } from "../../../dashboard/types";
import { AppError } from "../../../errors";
import { rateLimit } from "../../../ratelimit/middleware";
import { completeGitHubSetup } from "../../../services/github/complete-github-setup";
import type { App } from "../../types";
import { NO_AUTH, publicErrors } from "../push/shared";
import { error, notConfigured } from "./schemas";

const MINUTE = 60_000;
// People finishing an installation in a browser: a handful per minute per address is plenty.
const LIMIT = { perIp: { limit: 30, windowMs: MINUTE } };

const SetupQuery = z.object({
  installation_id: z.string().max(32).optional(),
  setup_action: z.string().max(32).optional(),
  state: z.string().max(256).optional(),
  code: z.string().max(256).optional(),
});

export const githubSetupRoute = createRoute({
  method: "get",
  path: "/github/setup",
  operationId: "githubSetup",
  tags: ["github"],
  summary: "GitHub's redirect after the App is installed: connects the installation to the project",
  description:
    "Set as the App's Setup URL (with \"Request user authorization (OAuth) during installation\" on). No key: the single-use `state` from GET /v1/github/authorize names the project; the browser must be signed in to the dashboard as an admin of that project (the admin who asked for the link, when a person asked); the installation is linked only if the person's own GitHub authorization (`code`) reaches it and that GitHub user owns the account (or is an active admin of the organization, which needs the App's read-only \"Members\" organization permission) it is installed on. An installation connected to another project is refused. Redirects the browser to the project's dashboard settings; answers JSON when asked with `Accept: application/json`.",
  security: NO_AUTH,
  middleware: [rateLimit("github-setup", LIMIT)] as const,
  request: { query: SetupQuery },
  responses: {
    200: {
      description: "Connected (JSON, when asked for)",
      content: {
        "application/json": {
          schema: z.object({
            connected: z.literal(true),
            project_id: z.string(),
            installation_id: z.number().int(),
            account_login: z.string(),
          }),
        },
      },
    },
    302: { description: "Connected: to the project's settings page in the dashboard" },
    ...publicErrors,
    403: error(
      "Not signed in to the dashboard as an admin of the project, or the person's GitHub account cannot reach or administer the installation",
    ),
    409: error(
      "The installation was only requested (an organization owner must approve it), or it is connected to another project",
    ),
    ...notConfigured,
  },
});

const wantsJson = (accept: string | undefined) =>
  !accept || /application\/json/.test(accept) || !/text\/html/.test(accept);

/** GET /github/setup */
export function registerGitHubSetup(app: App) {
  app.openapi(githubSetupRoute, async (c) => {
    const q = c.req.valid("query");
    c.header("cache-control", "no-store");
    const json = wantsJson(c.req.header("accept"));
    try {
      // The dashboard's cookie session: loadSession reads only the cookie and the request's ctx,
      // which this app's context carries too.
      const session = await loadSession(c as unknown as Context<DashEnv>);
      const out = await completeGitHubSetup({
        ctx: c.get("ctx"),
        session: session ? { userId: session.userId } : null,
        input: {
          installationId: q.installation_id,
          setupAction: q.setup_action,
          state: q.state,
          code: q.code,
        },
      });
      if (json) {
        return c.json(
          {
            connected: true as const,
            project_id: out.projectId,
            installation_id: out.installation.installationId,
            account_login: out.installation.accountLogin,
          },
          200,
        );
      }
      return c.redirect(`/app/p/${encodeURIComponent(out.projectId)}/settings?github=connected`, 302);
    } catch (err) {
      // A browser lands here from GitHub: a page saying what happened, not an envelope.
      if (json || !(err instanceof AppError)) throw err;
      return c.html(errorPage(err.message), err.status);
    }
  });
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GitHub was not connected</title></head><body><main><h1>GitHub was not connected</h1><p>${escapeHtml(message)}</p><p><a href="/app">Back to PushBunny</a></p></main></body></html>`;
}
