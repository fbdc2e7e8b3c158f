import { createRoute, z } from "@hono/zod-openapi";
import { SUBSCRIPTION_STATUSES } from "@pushbunny/db";
import { listSubscriptions } from "../../../services/subscriptions/list-subscriptions";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { Topic } from "../push/shared";
import { SubscriptionView, subscriptionView } from "./schemas";

export const listSubscriptionsRoute = createRoute({
  method: "get",
  path: "/v1/subscriptions",
  operationId: "listSubscriptions",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "Subscriptions, newest first, filtered by topic, user and status",
  security: BEARER,
  request: {
    query: z.object({
      topic: Topic.optional(),
      user_id: z.string().trim().min(1).max(256).optional(),
      status: z.enum(SUBSCRIPTION_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ subscriptions: z.array(SubscriptionView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

export function registerListSubscriptions(app: App) {
  app.openapi(listSubscriptionsRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listSubscriptions({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { topic: q.topic, userId: q.user_id, status: q.status, cursor: q.cursor, limit: q.limit },
    });
    return c.json(
      { subscriptions: page.subscriptions.map(subscriptionView), next_cursor: page.nextCursor },
      200,
    );
  });
}
