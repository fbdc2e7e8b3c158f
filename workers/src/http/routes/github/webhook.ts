import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../ratelimit/middleware";
import { receiveGitHubWebhook } from "../../../services/github/receive-github-webhook";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { NO_AUTH, publicErrors } from "../push/shared";
import { error } from "./schemas";

const MINUTE = 60_000;
// GitHub delivers from a small pool of addresses; one App's deliveries for every connected project.
const LIMIT = { perIp: { limit: 1_000, windowMs: MINUTE } };

const Outcome = z.object({
  outcome: z.enum(["applied", "duplicate", "ignored"]),
  detail: z.string(),
});

export const githubWebhookRoute = createRoute({
  method: "post",
  path: "/github/webhook",
  operationId: "receiveGitHubWebhook",
  tags: ["github"],
  summary: "The GitHub App's webhook: installation changes and closed pull requests",
  description:
    "Set as the App's Webhook URL with GITHUB_WEBHOOK_SECRET as its secret, content type application/json, subscribed to Pull request events. No key: X-Hub-Signature-256 over the raw body is the credential. A merged PR of a web experiment activates it; a PR closed without merging fails it. Each X-GitHub-Delivery is applied once.",
  security: NO_AUTH,
  middleware: [rateLimit("github-webhook", LIMIT), limitBody(1024 * 1024)] as const,
  responses: {
    200: { description: "Applied, or a replay", content: { "application/json": { schema: Outcome } } },
    202: {
      description: "Nothing to do for this event",
      content: { "application/json": { schema: Outcome } },
    },
    ...publicErrors,
    401: error("Missing or bad X-Hub-Signature-256"),
    404: error("GITHUB_WEBHOOK_SECRET is not set: GitHub webhooks are off"),
  },
});

/** POST /github/webhook */
export function registerGitHubWebhook(app: App) {
  app.openapi(githubWebhookRoute, async (c) => {
    // The raw text: the signature covers the exact bytes, so nothing may parse them first.
    const out = await receiveGitHubWebhook({
      ctx: c.get("ctx"),
      input: {
        payload: await c.req.text(),
        signature: c.req.header("x-hub-signature-256") ?? null,
        event: c.req.header("x-github-event") ?? null,
        deliveryId: c.req.header("x-github-delivery") ?? null,
      },
    });
    return c.json(out, out.outcome === "ignored" ? 202 : 200);
  });
}
