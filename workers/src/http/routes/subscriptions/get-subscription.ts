import { createRoute } from "@hono/zod-openapi";
import { getSubscription } from "../../../services/subscriptions/get-subscription";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SubscriptionIdParam, subscriptionResponse, subscriptionView } from "./schemas";

export const getSubscriptionRoute = createRoute({
  method: "get",
  path: "/v1/subscriptions/{subscription_id}",
  operationId: "getSubscription",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "A subscription",
  security: BEARER,
  request: { params: SubscriptionIdParam },
  responses: { 200: subscriptionResponse("The subscription"), ...commonErrors, ...notFound },
});

export function registerGetSubscription(app: App) {
  app.openapi(getSubscriptionRoute, async (c) => {
    const sub = await getSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { id: c.req.valid("param").subscription_id },
    });
    return c.json(subscriptionView(sub), 200);
  });
}
