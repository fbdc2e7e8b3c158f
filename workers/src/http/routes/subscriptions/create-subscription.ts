import { createRoute, z } from "@hono/zod-openapi";
import { createSubscription } from "../../../services/subscriptions/create-subscription";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { Endpoint, ExpirationTime, Keys, subscriptionResponse, subscriptionView, Topics } from "./schemas";

export const CreateSubscriptionBody = z
  .strictObject({
    endpoint: Endpoint,
    keys: Keys,
    expirationTime: ExpirationTime,
    topics: Topics.optional().openapi({ description: "Omitted on a re-subscribe: the stored topics stay" }),
    user_id: z.string().trim().min(1).max(256).nullable().optional(),
  })
  .openapi("CreateSubscriptionRequest");

export const createSubscriptionRoute = createRoute({
  method: "post",
  path: "/v1/subscriptions",
  operationId: "createSubscription",
  "x-pushbunny-access": "message",
  tags: ["push"],
  summary: "Store a browser's push subscription (idempotent per endpoint; the tenant's, in full)",
  description:
    "With the API key the tenant has full control: any topics and user_id, and a known endpoint is refreshed, re-enabled and un-deleted. From then on the anonymous route never changes it.",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateSubscriptionBody } } } },
  responses: {
    201: subscriptionResponse("Created"),
    200: subscriptionResponse("Already known: refreshed"),
    ...commonErrors,
    ...unavailable,
  },
});

export function registerCreateSubscription(app: App) {
  app.openapi(createSubscriptionRoute, async (c) => {
    const b = c.req.valid("json");
    const { subscription, created } = await createSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { endpoint: b.endpoint, keys: b.keys, topics: b.topics, userId: b.user_id },
    });
    return c.json(subscriptionView(subscription), created ? 201 : 200);
  });
}
