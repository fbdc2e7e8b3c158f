import { createRoute } from "@hono/zod-openapi";
import { subscriptionReport } from "../../../services/push/subscription-report";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { RangeQuery, range } from "./analytics-range";
import { anyJson } from "./shared";

export const subscriptionAnalyticsRoute = createRoute({
  method: "get",
  path: "/v1/analytics/subscriptions",
  operationId: "subscriptionAnalytics",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "Active, new, expired and deleted subscriptions, by day",
  security: BEARER,
  request: { query: RangeQuery },
  responses: { 200: anyJson("By day"), ...commonErrors },
});

export function registerSubscriptionAnalytics(app: App) {
  app.openapi(subscriptionAnalyticsRoute, async (c) => {
    const q = c.req.valid("query");
    const ctx = c.get("ctx");
    const r = await subscriptionReport({
      ctx,
      projectId: c.get("owner").projectId,
      input: range(ctx.now(), q.date_from, q.date_to),
    });
    return c.json(
      { date_from: r.dateFrom, date_to: r.dateTo, active: r.active, totals: r.totals, days: r.days },
      200,
    );
  });
}
