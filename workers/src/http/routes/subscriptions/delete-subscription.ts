import { createRoute } from "@hono/zod-openapi";
import { deleteSubscription } from "../../../services/subscriptions/delete-subscription";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SubscriptionIdParam } from "./schemas";

export const deleteSubscriptionRoute = createRoute({
  method: "delete",
  path: "/v1/subscriptions/{subscription_id}",
  operationId: "deleteSubscription",
  "x-pushbunny-access": "message",
  tags: ["push"],
  summary: "Stop sending to a subscription (kept for analytics; never revived anonymously)",
  security: BEARER,
  request: { params: SubscriptionIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
});

export function registerDeleteSubscription(app: App) {
  app.openapi(deleteSubscriptionRoute, async (c) => {
    await deleteSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { id: c.req.valid("param").subscription_id },
    });
    return c.body(null, 204);
  });
}
