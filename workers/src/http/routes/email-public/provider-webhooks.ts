import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../ratelimit/middleware";
import { receiveResendEvent } from "../../../services/webhooks/receive-resend-event";
import { limitBody } from "../../middleware/limits";
import { ErrorEnvelope } from "../../schemas";
import type { App } from "../../types";
import { NO_AUTH, publicErrors } from "../push/shared";

const MINUTE = 60_000;
// Resend sends from a handful of addresses, one event per recipient and state: a large campaign
// produces thousands a minute. Past this Svix backs off and retries, nothing is lost.
const LIMIT = { perIp: { limit: 3_000, windowMs: MINUTE } };

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

const route = createRoute({
  method: "post",
  path: "/email/webhooks/resend",
  operationId: "receiveResendWebhook",
  tags: ["email-public"],
  summary: "Resend's delivery events (delivered, bounced, complained), signed with Svix",
  description:
    "Configure in Resend → Webhooks with this URL and put its signing secret in RESEND_WEBHOOK_SECRET. No key: the svix-id, svix-timestamp and svix-signature headers are the credential (±5 minutes). The body is Resend's event JSON. Each svix-id is applied once.",
  security: NO_AUTH,
  middleware: [rateLimit("resend-webhook", LIMIT), limitBody(256 * 1024)] as const,
  responses: {
    200: {
      description:
        "Applied, a replay (nothing changed), or ignored (opens and clicks are tracked here; unknown emails)",
      content: {
        "application/json": {
          schema: z.object({
            outcome: z.enum(["applied", "duplicate", "ignored"]),
            message_id: z.string().nullable(),
            status_changed: z.boolean(),
            suppressed: z.boolean(),
            reason: z.string().nullable(),
          }),
        },
      },
    },
    ...publicErrors,
    401: error("Missing or bad signature, or a timestamp more than 5 minutes off"),
    404: error("RESEND_WEBHOOK_SECRET is not set: provider webhooks are off"),
    409: error("The message is still being sent; Resend retries later"),
  },
});

/** POST /email/webhooks/resend */
export function registerProviderWebhooks(app: App) {
  app.openapi(route, async (c) => {
    // The raw text: the signature covers the exact bytes, so nothing may parse them first.
    const r = await receiveResendEvent({
      ctx: c.get("ctx"),
      input: { payload: await c.req.text(), headers: c.req.raw.headers },
    });
    return c.json(
      {
        outcome: r.outcome,
        message_id: r.outcome === "ignored" ? null : r.messageId,
        status_changed: r.outcome === "applied" ? r.statusChanged : false,
        suppressed: r.outcome === "applied" ? r.suppressed : false,
        reason: r.outcome === "ignored" ? r.reason : null,
      },
      200,
    );
  });
}
