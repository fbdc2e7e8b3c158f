import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import { subscribeBrowser } from "../../../../services/subscriptions/subscribe-browser";
import { limitBody } from "../../../middleware/limits";
import { isWellFormed, unavailable, WELL_FORMED } from "../../../schemas";
import type { App } from "../../../types";
import { Endpoint, ExpirationTime, Keys, Topics } from "../../subscriptions/schemas";
import { forbidden, NO_AUTH, projectNotFound, publicErrors } from "../shared";
import { LIMITS } from "./limits";
import { ProjectParam, projectOr404 } from "./project";

export const BrowserSubscribeBody = z
  .strictObject({
    endpoint: Endpoint,
    keys: Keys,
    expirationTime: ExpirationTime,
    topics: Topics.optional().openapi({
      description: "Only the project's public topics (PUT /v1/push/settings)",
    }),
    // Not trimmed: the tenant's backend hashed exactly these characters.
    user_id: z
      .string()
      .min(1)
      .max(256)
      .refine((v) => v.trim() === v, "must not start or end with whitespace")
      .refine(isWellFormed, WELL_FORMED)
      .nullable()
      .optional()
      .openapi({ description: "Only with user_hash; null means none (older service workers send it)" }),
    user_hash: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "64 hex characters: HMAC-SHA256 of user_id with the identity secret")
      .optional()
      .openapi({
        description: "Lowercase hex HMAC-SHA256(key = the project's identity secret, message = user_id)",
      }),
  })
  .openapi("BrowserSubscribeRequest");

const Stored = z
  .object({
    subscription_id: z.string(),
    receiving: z.boolean().openapi({
      description:
        "Whether this browser, with the keys it sent, will get notifications. False when the site turned this subscription off (or deleted it) and a browser cannot turn it back on",
    }),
  })
  .openapi("BrowserSubscription", {
    description: "The id and whether it receives: a browser never sees what the tenant stored (topics, user)",
  });

export const subscribeBrowserRoute = createRoute({
  method: "post",
  path: "/push/{project}/subscriptions",
  operationId: "subscribeBrowser",
  tags: ["push-browser"],
  summary: "A browser subscribes itself (no API key)",
  description:
    "Nothing is taken on the caller's word: user_id needs user_hash (403 otherwise), topics must be public (400 naming the others), and a known endpoint the tenant created, changed or deleted through the API is left exactly as it is. A known endpoint the tenant never touched gets its keys, topics and proven user refreshed. Rate limited per address and per project.",
  security: NO_AUTH,
  middleware: [rateLimit("subscribe", LIMITS.subscribe), limitBody(16 * 1024)] as const,
  request: {
    params: ProjectParam,
    body: { required: true, content: { "application/json": { schema: BrowserSubscribeBody } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: Stored } } },
    200: { description: "Already known", content: { "application/json": { schema: Stored } } },
    ...publicErrors,
    ...forbidden("user_id without a valid user_hash, or the project has no identity secret"),
    ...projectNotFound,
    ...unavailable,
  },
});

export function registerSubscribeBrowser(app: App) {
  app.openapi(subscribeBrowserRoute, async (c) => {
    const ctx = c.get("ctx");
    const owner = await projectOr404(ctx, c.req.valid("param").project);
    const b = c.req.valid("json");
    const { subscription, created } = await subscribeBrowser({
      ctx,
      projectId: owner.projectId,
      input: {
        endpoint: b.endpoint,
        keys: b.keys,
        topics: b.topics,
        userId: b.user_id ?? undefined,
        userHash: b.user_hash,
      },
    });
    // A subscription the tenant turned off stays off; the page must not claim otherwise.
    const receiving =
      subscription.status === "active" &&
      subscription.p256dh === b.keys.p256dh &&
      subscription.auth === b.keys.auth;
    return c.json({ subscription_id: subscription.id, receiving }, created ? 201 : 200);
  });
}
