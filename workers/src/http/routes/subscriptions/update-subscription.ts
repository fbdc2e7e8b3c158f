import { createRoute, z } from "@hono/zod-openapi";
import { updateSubscription } from "../../../services/subscriptions/update-subscription";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SubscriptionIdParam, subscriptionResponse, subscriptionView, Topics } from "./schemas";

export const updateSubscriptionRoute = createRoute({
  method: "put",
  path: "/v1/subscriptions/{subscription_id}",
  operationId: "updateSubscription",
  "x-pushbunny-access": "message",
  tags: ["push"],
  summary: "Change topics, enabled or user_id",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: SubscriptionIdParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({
              topics: Topics.optional(),
              enabled: z.boolean().optional(),
              user_id: z.string().trim().min(1).max(256).nullable().optional(),
            })
            .refine((b) => Object.keys(b).length > 0, "nothing to change: send topics, enabled or user_id"),
        },
      },
    },
  },
  responses: { 200: subscriptionResponse("The subscription"), ...commonErrors, ...notFound },
});

export function registerUpdateSubscription(app: App) {
  app.openapi(updateSubscriptionRoute, async (c) => {
    const b = c.req.valid("json");
    const sub = await updateSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        id: c.req.valid("param").subscription_id,
        ...(b.topics ? { topics: b.topics } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(b.user_id !== undefined ? { userId: b.user_id } : {}),
      },
    });
    return c.json(subscriptionView(sub), 200);
  });
}
