import { createRoute } from "@hono/zod-openapi";
import { type DeliveryRates, deliveryReport } from "../../../services/push/delivery-report";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { RangeQuery, range } from "./analytics-range";
import { anyJson } from "./shared";

export const deliveryAnalyticsRoute = createRoute({
  method: "get",
  path: "/v1/analytics/deliveries",
  operationId: "deliveryAnalytics",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "Sent, delivered, failed and expired deliveries with rates, by day",
  security: BEARER,
  request: { query: RangeQuery },
  responses: { 200: anyJson("By day"), ...commonErrors },
});

const wire = ({ acceptedRate, deliveredRate, failureRate, clickRate, ...counts }: DeliveryRates) => ({
  ...counts,
  accepted_rate: acceptedRate,
  delivered_rate: deliveredRate,
  failure_rate: failureRate,
  click_rate: clickRate,
});

export function registerDeliveryAnalytics(app: App) {
  app.openapi(deliveryAnalyticsRoute, async (c) => {
    const q = c.req.valid("query");
    const ctx = c.get("ctx");
    const r = await deliveryReport({
      ctx,
      projectId: c.get("owner").projectId,
      input: range(ctx.now(), q.date_from, q.date_to),
    });
    return c.json(
      {
        date_from: r.dateFrom,
        date_to: r.dateTo,
        totals: wire(r.totals),
        days: r.days.map(({ day, ...rest }) => ({ day, ...wire(rest) })),
      },
      200,
    );
  });
}
